{
  "targets": [
    {
      "target_name": "kurento_ts_native",
      "sources": ["csrc/addon.c", "csrc/srtp.c", "csrc/srtp_binding.c", "csrc/socket.c", "csrc/lane.c", "csrc/ledger.c", "csrc/dtls.c"],
      "cflags": ["-O2", "-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden"],
      "defines": ["NAPI_VERSION=8", "OPENSSL_API_COMPAT=0x10100000L"],
      "conditions": [
        ["OS!='linux'", { "type": "none" }],
        ["sanitize=='address'", { "cflags": ["-fsanitize=address", "-fno-omit-frame-pointer", "-g"], "ldflags": ["-fsanitize=address"] }]
      ]
    }
  ],
  "variables": { "sanitize%": "" }
}
