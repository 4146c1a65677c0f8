#pragma once
// The HTTP side of Idempotency-Key: the header read and checked, the request's bytes hashed, an
// answer taken from and given back as a response, and a job run at most once per key.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include <boost/beast/http/message.hpp>

#include "base/error.hpp"
#include "idempotency/answer_store.hpp"
#include "server/handler.hpp"

namespace signet::idempotency {

// A request sent with an Idempotency-Key.
struct KeyedRequest {
    std::string client;          // the client certificate's SHA-256
    std::string key;
    std::string head;            // method, target and content type
    std::string request_sha256;  // of the head and the body's digest (with_body)
};

// The request's key, read on the I/O thread: nullopt without the header, 400 for a malformed one
// (1 to 255 visible ASCII characters, optionally in double quotes as a structured-field string).
Result<std::optional<KeyedRequest>> keyed_request(const boost::beast::http::request_header<>& header,
                                                  const std::string& client_sha256);
// `keyed` with the digest of the request's bytes: on the job's thread, where hashing a large body
// keeps no connection waiting.
std::optional<KeyedRequest> with_body(std::optional<KeyedRequest> keyed, std::span<const std::uint8_t> body);

Answer answer_of(const daemon::Reply& reply);
daemon::Response response_of(Answer answer, unsigned version, bool keep_alive);

// Keeps a job's reply inside the transaction of its outcome `outcome_seq` (AnswerStore::keep_locked).
using KeepReply = std::function<Status(const daemon::Reply&, std::int64_t outcome_seq)>;

// Runs `work` at most once for the request's key in `tenant`: the kept answer when there is one,
// a 409 when the key runs or was used for other bytes; otherwise `work`, which is given a
// KeepReply for the job's outcome (null without a key), and its reply kept unless it is a 5xx
// (nothing was decided: the request may run again). Without a key `work` simply runs.
daemon::Reply run_once(AnswerStore& store, const std::optional<KeyedRequest>& keyed, const std::string& tenant,
                       unsigned version, bool keep_alive, const std::function<daemon::Reply(const KeepReply*)>& work);

}  // namespace signet::idempotency
