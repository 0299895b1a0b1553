/**
 * Anthropic error responses. The envelope and the status ↔ type table are Anthropic's documented ones
 * (https://platform.claude.com/docs/en/api/errors: `{"type":"error","error":{"type","message"},"request_id"}`);
 * `NOT_FOUND` is that page's example verbatim. The docs give no message per type: PROMPT_TOO_LONG and
 * CREDIT_TOO_LOW carry the wording the API is seen to send (quoted in public bug reports), the others' messages are
 * illustrative (INVALID_REQUEST's trailing URL is there to exercise sanitising).
 */
export const NOT_FOUND = String.raw`{
  "type": "error",
  "error": {
    "type": "not_found_error",
    "message": "The requested resource could not be found."
  },
  "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"
}`;

export const AUTHENTICATION = String.raw`{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`;

export const PERMISSION = String.raw`{"type":"error","error":{"type":"permission_error","message":"Your API key does not have permission to use the specified resource."},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`;

/** A context overflow is a plain invalid_request_error: only the wording tells it apart. */
export const PROMPT_TOO_LONG = String.raw`{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`;

/** Out of credit is a 400 invalid_request_error too, not a 402. */
export const CREDIT_TOO_LOW = String.raw`{"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."},"request_id":"req_011Ced9FNK1x3E1GK6TW41km"}`;

export const RATE_LIMITED = String.raw`{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit; see the response headers for current usage."},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`;

export const OVERLOADED = String.raw`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`;

/** A client mistake the API names precisely; the message is worth passing on (cleaned of URLs and keys). */
export const INVALID_REQUEST = String.raw`{"type":"error","error":{"type":"invalid_request_error","message":"messages.1.content.0.image.source.base64: image exceeds 5 MB maximum: 7340032 bytes > 5242880 bytes, see https://docs.claude.com/en/docs/build-with-claude/vision"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`;

/** The edge answers an oversized body before the API does, and not in JSON. */
export const EDGE_TOO_LARGE = String.raw`<html><head><title>413 Request Entity Too Large</title></head><body><center><h1>413 Request Entity Too Large</h1></center></body></html>`;
