#pragma once
// The signatures and document time-stamps a PDF holds, as a validator sees them: what B-LT
// needs to key the /VRI of signatures that are not ours, and what `extend` validates. Read
// with PoDoFo, so in a PDF worker (DESIGN.md).

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
};

// Every signature field with a value, in the order of the form's fields (depth first).
// Errc::invalid_document with a sentence when the document cannot be read or a signature
// value is malformed (no /ByteRange of four numbers, no /Contents string); a document without
// a form has none.
Result<std::vector<SignatureField>> signature_fields(std::span<const std::uint8_t> document);

}  // namespace signet::pdf
