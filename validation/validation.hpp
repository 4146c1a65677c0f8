#pragma once
// Validation of every signature and document time-stamp of a PDF, as `POST /v1/extend` needs it
// (DESIGN.md, "Archive renewal"; issue 18 items 4 and 6): each CMS checked over its ByteRange
// with OpenSSL, its chain built to the configured trust anchors and verified at the best proven
// time (ETSI EN 319 102-1 §5.6.2.1: a signature time-stamp's genTime, else a document
// time-stamp's), the revocation status of every certificate but the anchors, the algorithm
// policy, and the PAdES level the file holds (ETSI EN 319 142-1 §6). It parses no PDF: a PDF
// worker lists the fields and the DSS's /VRI keys (pdf/ltv/signatures.hpp), this module judges
// the bytes they name.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "base/error.hpp"
#include "base/ssl_ptr.hpp"
#include "base/time.hpp"
#include "pdf/ltv/dss.hpp"
#include "pdf/ltv/signatures.hpp"
#include "revocation/revocation_checker.hpp"
#include "revocation/status.hpp"

namespace signet::validation {

struct Options {
    std::vector<X509*> trust_anchors;  // not owned: `[signature] trust`, or the seal CA
    // Asked for every certificate of each chain but its anchor; not owned, required.
    revocation::RevocationChecker* checker = nullptr;
    // `[revocation] mode`: "require" (true) makes a missing status fail the whole call with the
    // checker's Errc::unavailable, naming the URL; "prefer" (false) keeps the verdict valid and
    // says "revocation status unknown" in its note.
    bool require_revocation = true;
    const Clock* clock = nullptr;  // "now", for signatures no time-stamp proves; required
};

struct Verdict {
    std::string field;                // the field's full name
    bool document_timestamp = false;  // an ETSI.RFC3161 document time-stamp
    // Signatures: "B-B", "B-T", "B-LT" or "B-LTA" as the file holds them (see validate());
    // document time-stamps: "timestamp".
    std::string level;
    bool valid = false;
    std::string reason;  // why it is not valid, a sentence for a person; "" when valid
    std::string note;    // what a valid verdict could not prove ("revocation status unknown: ...")
    // The time the signature is proven to exist: its valid signature time-stamp's genTime, else
    // the earliest valid document time-stamp covering it, else now; a time-stamp's own genTime.
    Timestamp proven_time{};
    std::vector<X509Ptr> chain;            // the signer (or TSA) certificate up to its anchor
    std::vector<X509Ptr> timestamp_chain;  // the signature time-stamp's TSA chain, when any
    // Of every certificate of both chains but the anchors, signer chain first, with its evidence.
    std::vector<revocation::RevocationStatus> statuses;
};

// One verdict per field of `listed`, in its order, whatever each verdict says: the caller
// refuses a document with an invalid one (422, the reasons per signature).
// Levels: B-T when a valid signature time-stamp or a valid document time-stamp covers the
// signature (EN 319 142-1 §6.3 allows either); B-LT when it is B-T and the document's DSS has
// its /VRI key; B-LTA when it is B-LT and a valid document time-stamp covers a revision whose
// DSS already had that key (pdf/ltv/signatures.hpp's covered_vri_keys). Only the /VRI is read
// for the DSS: a file whose DSS holds the data without a /VRI entry reads B-T.
// Errors (the call fails): Errc::invalid_document "the document has no signature to extend"
// when `listed` has no field; the checker's Errc::unavailable when a status is missing and
// `require_revocation`; Errc::internal for broken options (no anchor, checker or clock) or an
// OpenSSL failure.
Result<std::vector<Verdict>> validate(std::span<const std::uint8_t> document, const pdf::SignatureList& listed,
                                      const Options& options);

// What a DSS update (pdf::dss_update) adds for `verdicts`, which validate() returned for
// `fields`: per valid verdict one entry keyed by pdf::vri_key of its field's /Contents, with
// the certificates of its chains, the OCSP responses and CRLs of its statuses (by source_kind)
// and the responder certificates those OCSP responses carry; each item once per entry.
std::vector<pdf::ValidationData> validation_data(std::span<const Verdict> verdicts,
                                                 std::span<const pdf::SignatureField> fields, Timestamp now);

}  // namespace signet::validation
