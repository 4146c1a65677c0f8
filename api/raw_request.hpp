#pragma once
// The raw form of POST /v1/seal and POST /v1/sign (issue 8): the PDF is the request body
// (Content-Type: application/pdf), the other fields are query parameters, and the answer is the
// signed PDF itself with the signature's details in headers. A large document is then neither
// inflated by base64 nor held twice; the body is read into the vector the job takes, and the
// job's output vector is the response body. The fields follow the JSON form's rules
// (api_json.hpp) and build the same requests, so both forms run the same jobs.

#include <cstdint>
#include <string_view>
#include <vector>

#include "archive/extend_job.hpp"
#include "jobs/seal_job.hpp"
#include "server/handler.hpp"
#include "jobs/cosign/cosign_job.hpp"
#include "jobs/sign_job.hpp"
#include "base/error.hpp"

namespace signet::daemon {

// `target` "/v1/seal?tenant=T&actor=A[&approved_by=P][&page=N&rect=x1,y1,x2,y2]": a visible
// signature when both page and rect are given, none when neither is.
Result<SealRequest> parse_raw_seal_request(std::string_view target,
                                           std::vector<std::uint8_t> document);

// `target` "/v1/sign?tenant=T&actor=A&otp=C[&page=N&rect=x1,y1,x2,y2]": one document, never a
// batch. Without otp the code is empty: the job refuses it and records the refusal, as for JSON.
Result<SignRequest> parse_raw_sign_request(std::string_view target,
                                           std::vector<std::uint8_t> document);

// `target` "/v1/cosign?tenant=T&guest_id=G&code=C[&page=N&rect=x1,y1,x2,y2][&level=L]": one
// document. Without code the job refuses it and records the refusal.
Result<CosignRequest> parse_raw_cosign_request(std::string_view target, std::vector<std::uint8_t> document);

// 200 with the signed PDF as the body and Signet-Key-Id, Signet-Certificate-Sha256,
// Signet-Digest-Sha256 and Signet-Audit-Seq; a signature also has Signet-Activation-Seq.
PdfResponse seal_pdf_response(SealResult result, unsigned version, bool keep_alive);
PdfResponse sign_pdf_response(SignResult result, unsigned version, bool keep_alive);
// A signature's, with Signet-Guest-Id and Signet-Certificate-Serial (the one-time certificate's).
PdfResponse cosign_pdf_response(JobResult result, const std::string& guest_id, unsigned version, bool keep_alive);

// `target` "/v1/extend?tenant=T". The answer is the extended PDF with Signet-Timestamps (the
// document time-stamps it holds), Signet-Signatures (the JSON array of the JSON form) and
// Signet-Document-Timestamp-Gen-Time, -Serial and -Tsa.
Result<ExtendRequest> parse_raw_extend_request(std::string_view target, std::vector<std::uint8_t> document);
PdfResponse extend_pdf_response(ExtendResult result, unsigned version, bool keep_alive);

}  // namespace signet::daemon
