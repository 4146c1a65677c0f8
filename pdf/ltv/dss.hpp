#pragma once
// The Document Security Store of ISO 32000-2 §12.8.4.3 and ETSI EN 319 142-1 (PAdES B-LT): an
// incremental update that adds /DSS to the catalog, with the certificates, OCSP responses and
// CRLs that validate the file's signatures and time-stamps later, when their certificates have
// ended, as streams of DER listed in /Certs, /OCSPs and /CRLs, and per signature a /VRI entry
// naming its own. An existing DSS is extended, never replaced, and what it holds already is
// not added again. Runs where PoDoFo runs: in a PDF worker (DESIGN.md).

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace signet::pdf {

using Der = std::vector<std::uint8_t>;

// What validates one signature or time-stamp.
struct ValidationData {
    // The /VRI key: vri_key() of the signature's /Contents; empty for data that belongs to no
    // one signature (a time-stamp's TSA chain, say), which goes into the DSS arrays only.
    std::string vri_key;
    std::vector<Der> certificates;
    std::vector<Der> ocsp_responses;  // whole OCSPResponses (RFC 6960 §4.2.1), status successful
    std::vector<Der> crls;
    std::chrono::system_clock::time_point time;  // the VRI's /TU: when this data was gathered
};

// The /VRI key of a signature (ETSI EN 319 142-1 §5.4.2.2): the upper-case hex SHA-1 of its
// /Contents string as stored in the file, the zero padding after the CMS included, which is how
// iText and pyHanko compute it.
std::string vri_key(std::span<const std::uint8_t> contents);

// The incremental update that adds `data` to the DSS of `document`, to be appended to it.
// Errc::invalid_document with a sentence when the document cannot be read or its DSS is not
// a dictionary of arrays; Errc::bad_request when `data` holds nothing.
Result<std::vector<std::uint8_t>> dss_update(std::span<const std::uint8_t> document,
                                             std::span<const ValidationData> data);

}  // namespace signet::pdf
