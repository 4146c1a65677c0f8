#pragma once
// The signatures and document time-stamps a PDF holds, as a validator sees them: what B-LT
// needs to key the /VRI of signatures that are not ours, and what `extend` validates, with the
// /DSS /VRI keys that tell its levels apart (B-LT, B-LTA). Read with PoDoFo, so in a PDF worker
// (DESIGN.md).

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace signet::pdf {

struct SignatureField {
    std::string name;                 // the field's full name, "Signature1" or "parent.child"
    bool document_timestamp = false;  // /Type /DocTimeStamp (else a signature)
    std::string sub_filter;           // "ETSI.CAdES.detached", "adbe.pkcs7.detached", "ETSI.RFC3161", ...
    std::array<std::int64_t, 4> byte_range{};
    // The /Contents string as stored, zero padding included: the CMS (or the token) is its DER
    // prefix, and vri_key() hashes all of it.
    std::vector<std::uint8_t> contents;
    // Document time-stamps only: the /DSS /VRI keys of the file as it was at the end of the
    // ByteRange, the revision the token covers (ISO 32000-2 §12.8.5), upper-case. Empty for
    // signatures, and when that revision cannot be read as a document of its own.
    std::vector<std::string> covered_vri_keys;
};

struct SignatureList {
    // Every signature field with a value, in the order of the form's fields (depth first).
    std::vector<SignatureField> fields;
    // The /DSS /VRI keys of the document as it is (its latest revision), upper-case, sorted.
    std::vector<std::string> vri_keys;
};

// The document's signature fields and its DSS's /VRI keys. Errc::invalid_document with a
// sentence when the document cannot be read or a signature value is malformed (no /ByteRange
// of four numbers, no /Contents string); a document without a form has no fields, one without
// a /DSS no keys.
Result<SignatureList> list_signatures(std::span<const std::uint8_t> document);

}  // namespace signet::pdf
