#include "tests/integration/cluster/seal_verifier.hpp"

#include <openssl/cms.h>

#include <array>
#include <charconv>
#include <cstdint>

#include "base/openssl_error.hpp"

namespace signet::test {
namespace {

// The four numbers after /ByteRange ("/ByteRange[0 a b c]", spaces optional), or nothing.
std::expected<std::array<std::size_t, 4>, std::string> parse_byte_range(std::string_view pdf) {
    const auto at = pdf.find("/ByteRange");
    if (at == std::string_view::npos) return std::unexpected("no /ByteRange");
    if (pdf.find("/ByteRange", at + 1) != std::string_view::npos) return std::unexpected("more than one /ByteRange");
    std::string_view rest = pdf.substr(at + std::string_view("/ByteRange").size());
    std::array<std::size_t, 4> range{};
    for (std::size_t i = 0; i < range.size(); ++i) {
        while (!rest.empty() && std::string_view(" \r\n[").find(rest.front()) != std::string_view::npos) {
            rest.remove_prefix(1);
        }
        const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), range[i]);
        if (ec != std::errc()) return std::unexpected("a /ByteRange that is not four numbers");
        rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
    }
    return range;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::expected<SealVerifier, std::string> SealVerifier::create(const std::filesystem::path& ca) {
    X509Store store(X509_STORE_new());
    if (!store) return std::unexpected(openssl_error("X509_STORE_new"));
    if (X509_STORE_load_file(store.get(), ca.c_str()) != 1) {
        return std::unexpected(openssl_error("loading " + ca.string()));
    }
    return SealVerifier(std::move(store));
}

std::expected<void, std::string> SealVerifier::check(std::string_view pdf) const {
    const auto range = parse_byte_range(pdf);
    if (!range) return std::unexpected(range.error());
    const auto [start1, length1, start2, length2] = *range;
    // The hole is exactly /Contents' hex string, and the two parts reach the file's end: an
    // incremental update after the signature would not be covered by it (ISO 32000-1 §12.8.1).
    if (start1 != 0 || start2 <= length1 + 1 || start2 + length2 != pdf.size() || pdf[length1] != '<' ||
        pdf[start2 - 1] != '>') {
        return std::unexpected("a /ByteRange that does not cover the file but its /Contents");
    }
    const std::string_view hex = pdf.substr(length1 + 1, start2 - length1 - 2);
    if (hex.size() % 2 != 0) return std::unexpected("/Contents of odd length");
    std::string der(hex.size() / 2, '\0');
    for (std::size_t i = 0; i < der.size(); ++i) {
        const int high = hex_digit(hex[2 * i]), low = hex_digit(hex[2 * i + 1]);
        if (high < 0 || low < 0) return std::unexpected("/Contents that is not hexadecimal");
        der[i] = static_cast<char>(high * 16 + low);
    }
    // The zeros that pad /Contents after the DER are not read: d2i stops at its outer length.
    const auto* in = reinterpret_cast<const unsigned char*>(der.data());
    CmsContentInfo cms(d2i_CMS_ContentInfo(nullptr, &in, static_cast<long>(der.size())));
    if (!cms) return std::unexpected(openssl_error("/Contents is not a CMS ContentInfo"));
    if (CMS_is_detached(cms.get()) != 1) return std::unexpected("a CMS that is not detached");
    const std::string content = std::string(pdf.substr(0, length1)).append(pdf.substr(start2, length2));
    Bio data(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
    if (!data) return std::unexpected(openssl_error("BIO_new_mem_buf"));
    // CMS_BINARY: the ByteRange bytes are hashed as they are, without MIME canonicalisation.
    if (CMS_verify(cms.get(), nullptr, store_.get(), data.get(), nullptr, CMS_BINARY) != 1) {
        return std::unexpected(openssl_error("CMS_verify"));
    }
    return {};
}

}  // namespace signet::test
