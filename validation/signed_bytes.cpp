#include "validation/signed_bytes.hpp"

#include <algorithm>
#include <climits>
#include <string_view>

#include <openssl/cms.h>

#include "base/base64.hpp"
#include "base/openssl_error.hpp"

namespace signet::validation {

Result<Pieces> signed_pieces(std::span<const std::uint8_t> document, const pdf::SignatureField& field) {
    const auto& range = field.byte_range;
    const std::uint64_t size = document.size();
    // The worker's list holds non-negative numbers; the sums are bounded by the size first.
    const auto start = static_cast<std::uint64_t>(range[0]);
    const auto first_length = static_cast<std::uint64_t>(range[1]);
    const auto second_start = static_cast<std::uint64_t>(range[2]);
    const auto second_length = static_cast<std::uint64_t>(range[3]);
    if (start != 0) return fail(Errc::invalid_document, "the /ByteRange does not start at the beginning of the file");
    if (first_length > size || second_start > size || second_length > size - second_start) {
        return fail(Errc::invalid_document, "the /ByteRange reaches beyond the end of the file");
    }
    // The gap is "<" + two hex digits per stored byte + ">": nothing else is left unsigned.
    const std::uint64_t hex_digits = 2 * std::uint64_t{field.contents.size()};
    if (second_start < first_length || second_start - first_length != hex_digits + 2 ||
        document[static_cast<std::size_t>(first_length)] != '<' ||
        document[static_cast<std::size_t>(second_start - 1)] != '>') {
        return fail(Errc::invalid_document, "the /ByteRange leaves out more than the /Contents string");
    }
    const auto* digits = reinterpret_cast<const char*>(document.data() + first_length + 1);
    auto stored = hex_decode(std::string_view(digits, static_cast<std::size_t>(hex_digits)));
    if (!stored || *stored != field.contents) {
        return fail(Errc::invalid_document, "the bytes the /ByteRange leaves out are not the /Contents string");
    }
    return Pieces{document.first(static_cast<std::size_t>(first_length)),
                  document.subspan(static_cast<std::size_t>(second_start), static_cast<std::size_t>(second_length))};
}

Result<std::vector<std::uint8_t>> digest_of(const Pieces& pieces, const EVP_MD* md) {
    MdCtx context(EVP_MD_CTX_new());
    if (!context || md == nullptr || EVP_DigestInit_ex(context.get(), md, nullptr) != 1) {
        return openssl_failure(Errc::internal, "starting a digest");
    }
    for (const auto& piece : pieces) {
        if (EVP_DigestUpdate(context.get(), piece.data(), piece.size()) != 1) {
            return openssl_failure(Errc::internal, "hashing the signed bytes");
        }
    }
    std::vector<std::uint8_t> digest(static_cast<std::size_t>(EVP_MAX_MD_SIZE));
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context.get(), digest.data(), &length) != 1) {
        return openssl_failure(Errc::internal, "finishing a digest");
    }
    digest.resize(length);
    return digest;
}

Result<StoredCms> stored_cms(std::span<const std::uint8_t> contents, const std::string& what) {
    if (contents.empty() || contents.size() > static_cast<std::size_t>(LONG_MAX)) {
        return fail(Errc::invalid_document, what + " is empty");
    }
    const unsigned char* cursor = contents.data();
    StoredCms stored;
    stored.cms.reset(d2i_CMS_ContentInfo(nullptr, &cursor, static_cast<long>(contents.size())));
    if (!stored.cms) {
        return openssl_failure(Errc::invalid_document, what + " does not hold a DER CMS ContentInfo");
    }
    stored.length = static_cast<std::size_t>(cursor - contents.data());
    // The placeholder was filled with zeros before the CMS was written over its start.
    if (!std::all_of(contents.begin() + static_cast<std::ptrdiff_t>(stored.length), contents.end(),
                     [](std::uint8_t byte) { return byte == 0; })) {
        return fail(Errc::invalid_document, what + " has bytes after its CMS that are not the zero padding");
    }
    if (OBJ_obj2nid(CMS_get0_type(stored.cms.get())) != NID_pkcs7_signed) {
        return fail(Errc::invalid_document, what + "'s CMS is not a SignedData");
    }
    return stored;
}

std::string shown(const std::string& text, const std::string& otherwise) {
    const bool plain = !text.empty() && text.size() <= 64 &&
                       std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
    return plain ? "'" + text + "'" : otherwise;
}

}  // namespace signet::validation
