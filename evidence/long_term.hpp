#pragma once
// The steps that take a B-T signature to B-LT and B-LTA (ETSI EN 319 142-1; NOTES-ltv.md): an
// incremental update adding the DSS with the chains of the signer and of the signature
// time-stamp's TSA and their revocation statuses, then a document time-stamp over the whole
// file. Both updates are made by a PDF worker: this process never parses a PDF. The time-stamp
// token comes through a callback, as the job decides which TSA makes it and records its key use.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/time.hpp"
#include "evidence/revocation_gate.hpp"
#include "keys/active_key.hpp"
#include "pdf/worker/worker_pool.hpp"

namespace signet::evidence {

// One signature just made, as the DSS needs it.
struct MadeSignature {
    std::vector<std::uint8_t> contents;  // its /Contents as stored: the CMS, then zeros
    const daemon::ActiveKey* signer = nullptr;
    const daemon::ActiveKey* tsa_key = nullptr;       // signetd's own TSA; null for an external one
    std::span<const std::uint8_t> timestamp_token;    // the signature time-stamp (DER ContentInfo)
    Timestamp gen_time{};                             // its genTime
};

// What the answer says about the revocation data a DSS holds: whether each status was issued at
// or after the signature time-stamp, and where not, why, so that `extend` can complete it.
struct Freshness {
    bool after_timestamp = true;
    std::vector<std::string> notes;
};

// B-LT: `document` (which ends with the signature) with the DSS update appended.
Result<std::vector<std::uint8_t>> add_validation_data(pdf::WorkerPool& workers, std::string_view tenant, RevocationGate& gate,
                                                      std::vector<std::uint8_t> document,
                                                      const MadeSignature& signature, Freshness& freshness);

// B-LTA: `document` with a document time-stamp appended, its /Contents reserving `token_bytes`
// and holding the token `stamp` makes over the SHA-256 of the ByteRange. `stamp` is also given
// `finish`, which makes the final document from the token: a caller that keeps an answer with
// the token's outcome entry needs that document before the entry commits. The document
// `finish` makes first is the one returned.
using FinishDocument = std::function<Result<std::span<const std::uint8_t>>(std::span<const std::uint8_t> token)>;
using DocumentStamp = std::function<Result<std::vector<std::uint8_t>>(std::span<const std::uint8_t> digest,
                                                                      const FinishDocument& finish)>;
Result<std::vector<std::uint8_t>> add_document_timestamp(pdf::WorkerPool& workers, std::string_view tenant,
                                                         std::vector<std::uint8_t> document,
                                                         std::size_t token_bytes, const DocumentStamp& stamp);

}  // namespace signet::evidence
