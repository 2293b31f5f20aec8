/**
 * The error codes of the Kurento Protocol, in one place.
 *
 * Kurento groups its codes in ranges per domain (400xx general, 401xx media objects, 402xx SDP,
 * 404xx ICE); the official clients react to some of them (40100 → TypeError, 40101 →
 * ReferenceError, 40105 → SyntaxError, 40007 → drop the session). JSON-RPC's own codes
 * (-32700...) are used for envelopes that are not a valid request at all, as KMS does.
 */
export const ErrorCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,

  MEDIA_ERROR: 40000,
  MARSHALL_ERROR: 40001,
  UNMARSHALL_ERROR: 40002,
  UNEXPECTED_ERROR: 40003,
  CONNECT_ERROR: 40004,
  UNSUPPORTED_MEDIA_TYPE: 40005,
  NOT_IMPLEMENTED: 40006,
  INVALID_SESSION: 40007,
  MALFORMED_TRANSACTION: 40008,
  NOT_ENOUGH_RESOURCES: 40009,

  MEDIA_OBJECT_TYPE_NOT_FOUND: 40100,
  MEDIA_OBJECT_NOT_FOUND: 40101,
  MEDIA_OBJECT_CONSTRUCTOR_NOT_FOUND: 40104,
  MEDIA_OBJECT_METHOD_NOT_FOUND: 40105,
  MEDIA_OBJECT_EVENT_NOT_SUPPORTED: 40106,
  MEDIA_OBJECT_ILLEGAL_PARAM_ERROR: 40107,
  MEDIA_OBJECT_NOT_AVAILABLE: 40108,
  MEDIA_OBJECT_NOT_FOUND_TRANSACTION_NO_COMMIT: 40109,
  MEDIA_OBJECT_TAG_KEY_NOT_FOUND: 40110,
  MEDIA_OBJECT_OPERATION_NOT_SUPPORTED: 40111,

  SDP_CREATE_ERROR: 40200,
  SDP_PARSE_ERROR: 40201,
  SDP_END_POINT_NO_LOCAL_SDP_ERROR: 40202,
  SDP_END_POINT_NO_REMOTE_SDP_ERROR: 40203,
  SDP_END_POINT_GENERATE_OFFER_ERROR: 40204,
  SDP_END_POINT_PROCESS_OFFER_ERROR: 40205,
  SDP_END_POINT_PROCESS_ANSWER_ERROR: 40206,
  SDP_CONFIGURATION_ERROR: 40207,
  SDP_END_POINT_ALREADY_NEGOTIATED: 40208,
  SDP_END_POINT_NOT_OFFER_GENERATED: 40209,
  SDP_END_POINT_ANSWER_ALREADY_PROCCESED: 40210,
  SDP_END_POINT_CANNOT_CREATE_SESSON: 40211,
  /** Ours, not Kurento's: an endpoint's transport did not connect in time and gave its sockets back. */
  SDP_END_POINT_NEGOTIATION_TIMEOUT: 40212,

  ICE_GATHER_CANDIDATES_ERROR: 40400,
  ICE_ADD_CANDIDATE_ERROR: 40401,
} as const;

/** A stable error name, e.g. `MEDIA_OBJECT_NOT_FOUND`. */
export type ErrorName = keyof typeof ErrorCode;
/** A numeric error code of the protocol. */
export type ErrorCodeValue = (typeof ErrorCode)[ErrorName];

const namesByCode = new Map<number, ErrorName>(
  (Object.entries(ErrorCode) as [ErrorName, number][]).map(([name, code]) => [code, name]),
);

/** The stable name of a code, or undefined when the code is not one of the protocol's. */
export function errorName(code: number): ErrorName | undefined {
  return namesByCode.get(code);
}

/** The error object of a JSON-RPC error response, as Kurento sends it. */
export interface RpcErrorObject {
  code: number;
  message: string;
  data?: { type: ErrorName | string; [key: string]: unknown };
}

/** An error that travels as a JSON-RPC error response with a Kurento code. */
export class KurentoError extends Error {
  override readonly name = 'KurentoError';
  readonly code: number;
  readonly type: string;

  constructor(type: ErrorName, message: string) {
    super(message);
    this.code = ErrorCode[type];
    this.type = type;
  }

  /** The wire form: `{code, message, data: {type}}`. */
  toJSON(): RpcErrorObject {
    return { code: this.code, message: this.message, data: { type: this.type } };
  }
}
