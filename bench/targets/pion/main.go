// The benchmark's Pion peer (bench/targets/pion.ts builds it offline from Debian's
// golang-github-pion-webrtc.v3-dev): every session's audio and video RTP is read and written
// back on a local track, the same workload as Janus's EchoTest and our Hello World. Pion's
// default interceptors (NACK responder and generator, RTCP reports, TWCC) run as in any Pion
// app. Signalling over HTTP on 127.0.0.1:
//   POST /offer            body: SDP offer           -> {"id": n, "sdp": answer with candidates}
//   POST /candidate?id=n   body: {"candidate","sdpMid","sdpMLineIndex"} (trickled client candidates)
//   POST /close?id=n       GET /ping                 GET /stats (forwarded packet count)
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v3"
)

var (
	api       *webrtc.API
	sessions  sync.Map
	nextID    int64
	forwarded uint64
)

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func main() {
	port := flag.Int("port", 0, "HTTP port (0: any)")
	noInterceptors := flag.Bool("no-interceptors", false, "skip NACK / RTCP report interceptors")
	flag.Parse()
	m := &webrtc.MediaEngine{}
	fb := []webrtc.RTCPFeedback{{Type: "goog-remb"}, {Type: "transport-cc"}, {Type: "ccm", Parameter: "fir"}, {Type: "nack"}, {Type: "nack", Parameter: "pli"}}
	must(m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: fb}, PayloadType: 96}, webrtc.RTPCodecTypeVideo))
	must(m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"}, PayloadType: 111}, webrtc.RTPCodecTypeAudio))
	i := &interceptor.Registry{}
	if !*noInterceptors {
		must(webrtc.RegisterDefaultInterceptors(m, i))
	}
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	api = webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(i), webrtc.WithSettingEngine(se))

	http.HandleFunc("/offer", handleOffer)
	http.HandleFunc("/candidate", handleCandidate)
	http.HandleFunc("/close", handleClose)
	http.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("pong")) })
	http.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "{\"forwarded\":%d}", atomic.LoadUint64(&forwarded))
	})
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	must(err)
	fmt.Printf("Pion echo ready on http://%s\n", ln.Addr())
	must(http.Serve(ln, nil))
}

func session(r *http.Request) (*webrtc.PeerConnection, bool) {
	id, _ := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64)
	pc, ok := sessions.Load(id)
	if !ok {
		return nil, false
	}
	return pc.(*webrtc.PeerConnection), true
}

func handleOffer(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	audio, _ := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "pion")
	video, _ := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video", "pion")
	pc.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		out := video
		if track.Kind() == webrtc.RTPCodecTypeAudio {
			out = audio
		}
		for {
			p, _, err := track.ReadRTP()
			if err != nil {
				return
			}
			if out.WriteRTP(p) == nil {
				atomic.AddUint64(&forwarded, 1)
			}
		}
	})
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: string(body)}); err != nil {
		pc.Close()
		http.Error(w, err.Error(), 400)
		return
	}
	for _, t := range []*webrtc.TrackLocalStaticRTP{audio, video} {
		sender, err := pc.AddTrack(t)
		if err != nil {
			pc.Close()
			http.Error(w, err.Error(), 500)
			return
		}
		go func() { // RTCP from the peer must be read for the interceptors to run
			buf := make([]byte, 1500)
			for {
				if _, _, err := sender.Read(buf); err != nil {
					return
				}
			}
		}()
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		pc.Close()
		http.Error(w, err.Error(), 500)
		return
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	must(pc.SetLocalDescription(answer))
	<-gathered
	id := atomic.AddInt64(&nextID, 1)
	sessions.Store(id, pc)
	json.NewEncoder(w).Encode(map[string]interface{}{"id": id, "sdp": pc.LocalDescription().SDP})
}

func handleCandidate(w http.ResponseWriter, r *http.Request) {
	pc, ok := session(r)
	if !ok {
		http.Error(w, "no such session", 404)
		return
	}
	var c webrtc.ICECandidateInit
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	if err := pc.AddICECandidate(c); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	w.WriteHeader(204)
}

func handleClose(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64)
	if pc, ok := sessions.LoadAndDelete(id); ok {
		pc.(*webrtc.PeerConnection).Close()
	}
	w.WriteHeader(204)
}
