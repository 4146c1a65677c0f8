#pragma once
// The bytes a signature or document time-stamp covers (ISO 32000-1 §12.8.1: the whole revision
// but the <...> of its /Contents) and the CMS it stores there. Refusals are
// Errc::invalid_document sentences that become the verdict's reason.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include "base/error.hpp"
#include "base/ssl_ptr.hpp"
#include "pdf/ltv/signatures.hpp"

namespace signet::validation {

// Up to two runs of bytes hashed one after the other.
using Pieces = std::array<std::span<const std::uint8_t>, 2>;

// The two ByteRange runs of `field` in `document`, once the range is sane: it starts at 0,
// lies inside the file, and its gap is exactly the /Contents hex string the worker read.
Result<Pieces> signed_pieces(std::span<const std::uint8_t> document, const pdf::SignatureField& field);

// `md` over the pieces.
Result<std::vector<std::uint8_t>> digest_of(const Pieces& pieces, const EVP_MD* md);

// The CMS ContentInfo at the start of `contents` (its DER prefix: d2i reads the length the
// encoding states) and how many bytes it took; what follows must be zeros, the padding of the
// placeholder. `what` names it in refusals ("the signature").
struct StoredCms {
    CmsContentInfo cms;
    std::size_t length = 0;
};
Result<StoredCms> stored_cms(std::span<const std::uint8_t> contents, const std::string& what);

// `text` quoted when it is short printable ASCII, else `otherwise`: document strings in
// messages.
std::string shown(const std::string& text, const std::string& otherwise);

}  // namespace signet::validation
