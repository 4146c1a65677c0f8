#pragma once
// Prepares a PDF for a PAdES signature (ETSI EN 319 142-1): an incremental update that adds a
// signature field (visible when an appearance is given), a signature dictionary with
// /SubFilter /ETSI.CAdES.detached and /M, and a zero-filled /Contents placeholder. The result is
// the update alone (the signed file is the original followed by it) plus the positions needed
// to hash and later patch it, so that embedding the CMS is a byte patch that needs no PDF
// parser (DESIGN.md: the daemon never parses a PDF).

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "image/logo_image.hpp"

namespace signet::pdf {

struct Appearance {
    int page = 1;                      // 1-based
    std::array<double, 4> rect{};      // x1, y1, x2, y2 in the page's default user space
    std::vector<std::string> lines;    // UTF-8 text lines, first one drawn as the title
    // Not empty: the prepared field of this name is signed instead of a new one, at its own
    // page and rectangle (prepared_fields.hpp). `signer` is who signs: a field placed for
    // someone else is refused (Errc::forbidden), one signed already too (Errc::conflict).
    std::string field;
    std::string signer;
    // The tenant's logo file as stored, which a worker is sent; and its decoding, which is what
    // is painted (prepare() decodes the file when it is not given).
    std::shared_ptr<const std::vector<std::uint8_t>> logo_file;
    std::shared_ptr<const image::LogoImage> logo;
};

// A box at `rect` on `page` showing `lines` (no logo, no prepared field).
inline Appearance box_at(int page, std::array<double, 4> rect, std::vector<std::string> lines) {
    Appearance appearance;
    appearance.page = page;
    appearance.rect = rect;
    appearance.lines = std::move(lines);
    return appearance;
}

struct PrepareRequest {
    std::optional<Appearance> appearance;
    std::chrono::system_clock::time_point signing_time;  // written as /M
    std::size_t contents_size = 0;     // bytes reserved for the DER CMS (2x as hex digits)
    std::string reason;                // optional /Reason
    // A document time-stamp (ISO 32000-2 §12.8.5, PAdES B-LTA) instead of a signature:
    // /Type /DocTimeStamp, /SubFilter /ETSI.RFC3161, and /Contents an RFC 3161 token over the
    // SHA-256 of the ByteRange; invisible, no /M or /Reason (the token carries the time).
    bool document_timestamp = false;
};

// Offsets are in the signed file, original + update.
struct PreparedDocument {
    std::size_t original_size = 0;             // bytes of the document the update follows
    std::vector<std::uint8_t> update;          // the incremental update (ISO 32000-1 §7.5.6)
    std::array<std::size_t, 4> byte_range{};   // as written in /ByteRange
    std::size_t contents_offset = 0;           // offset of the first hex digit inside <...>
    std::size_t contents_size = 0;             // bytes of CMS that fit (hex digits / 2)
    std::array<std::uint8_t, 32> digest{};     // SHA-256 over the two ByteRange parts
};

// Prepares the PDF `input`. Every failure that the document causes is Errc::invalid_document
// with a sentence saying why (not a PDF, truncated, encrypted, damaged page tree, no such page,
// ...). It reads `input` in place (span_input_device.hpp), so that the worker running it needs
// no openat: a worker a document took over could otherwise read any file its user can (the
// PIN credential, the token).
Result<PreparedDocument> prepare(std::span<const std::uint8_t> input, const PrepareRequest& request);
// The same for the file at `input` (tests and benchmarks).
Result<PreparedDocument> prepare(const std::filesystem::path& input, const PrepareRequest& request);
// prepare() without the digest, a pass over the whole document saved: what a PDF worker runs,
// as its parent computes the digest itself over the bytes it checked (worker_pool.hpp).
Result<PreparedDocument> prepare_update(std::span<const std::uint8_t> input,
                                        const PrepareRequest& request);

// An empty signature field to add (POST /v1/prepare), for a signature to fill later.
struct FieldRequest {
    std::string name;                // unique in the document, no '.'
    int page = 1;                    // 1-based
    std::array<double, 4> rect{};    // in the page's default user space, inside its MediaBox
    std::string signer;              // empty: anyone may sign it
};
// The incremental update that adds `fields` to the PDF `input`, each with a dashed frame as its
// appearance and /SigFlags 1: no signature, so earlier signatures stay valid and nothing is
// signed. Errc::invalid_document naming the field for a name the document has, a page it does
// not have or a rectangle outside the page or of no area, and for a certified document whose
// DocMDP permission (1 or 2) forbids new fields; the document's failures as prepare()'s.
Result<std::vector<std::uint8_t>> add_signature_fields(std::span<const std::uint8_t> input,
                                                       const std::vector<FieldRequest>& fields);

// Writes `cms` (DER) as hex into the placeholder in the update, zero-padded. Fails (and
// leaves `document` untouched) if it does not fit.
Status embed(PreparedDocument& document, std::span<const std::uint8_t> cms);

// `cms` (or a document time-stamp's token) patched into the placeholder of `prepared`, the
// update to `original`: the signed file, original + update, the update appended to the
// original's own buffer (a moved-in document is not copied).
Result<std::vector<std::uint8_t>> signed_file(std::vector<std::uint8_t> original, PreparedDocument prepared,
                                              std::span<const std::uint8_t> cms);

}  // namespace signet::pdf
