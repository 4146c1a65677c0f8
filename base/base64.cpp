#include "base/base64.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>

#include <openssl/evp.h>

#include "base/openssl_error.hpp"

namespace signet {

void base64_append(std::string& out, std::span<const std::uint8_t> bytes) {
    const std::size_t start = out.size();
    // Written in place without zero-filling first (13 MB for a 10 MB document).
    out.resize_and_overwrite(start + 4 * ((bytes.size() + 2) / 3), [&](char* data, std::size_t) {
        // EVP_EncodeBlock takes an int length; feed it in chunks that are multiples of 3 bytes.
        constexpr std::size_t chunk = 3 * 1024 * 1024;
        std::size_t written = start;
        for (std::size_t offset = 0; offset < bytes.size(); offset += chunk) {
            std::size_t n = std::min(chunk, bytes.size() - offset);
            written += static_cast<std::size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(data + written),
                                                                bytes.data() + offset, static_cast<int>(n)));
        }
        return written;
    });
}

std::string base64_encode(std::span<const std::uint8_t> bytes) {
    std::string out;
    base64_append(out, bytes);
    return out;
}

Result<std::vector<std::uint8_t>> base64_decode(std::string_view text, std::size_t spare_capacity) {
    if (text.size() % 4 != 0) {
        return fail(Errc::bad_request, "base64 text must have a length that is a multiple of 4");
    }
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=') padding = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
    for (std::size_t i = 0; i < text.size() - padding; ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '/';
        if (!ok) {
            return fail(Errc::bad_request,
                        "base64 text has an invalid character at position " + std::to_string(i));
        }
    }
    std::vector<std::uint8_t> out;
    out.reserve(text.size() / 4 * 3 + spare_capacity);
    out.resize(text.size() / 4 * 3);
    constexpr std::size_t chunk = 4 * 1024 * 1024;
    std::size_t written = 0;
    for (std::size_t offset = 0; offset < text.size(); offset += chunk) {
        std::size_t n = std::min(chunk, text.size() - offset);
        int got = EVP_DecodeBlock(out.data() + written,
                                  reinterpret_cast<const unsigned char*>(text.data() + offset),
                                  static_cast<int>(n));
        if (got < 0) return fail(Errc::bad_request, "the base64 text cannot be decoded");
        written += static_cast<std::size_t>(got);
    }
    // EVP_DecodeBlock counts the padding as zero bytes (RFC 4648 §4): drop them.
    out.resize(written - padding);
    return out;
}

Result<std::vector<std::uint8_t>> base64_decode_canonical(std::string_view text) {
    if (text.empty()) return fail(Errc::bad_request, "the base64 text is empty");
    auto bytes = base64_decode(text);
    if (bytes && base64_encode(*bytes) != text) return fail(Errc::bad_request, "the base64 text is not canonical");
    return bytes;
}

std::string hex_encode(std::span<const std::uint8_t> bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (std::uint8_t byte : bytes) {
        out += digits[byte >> 4];
        out += digits[byte & 0x0F];
    }
    return out;
}

Result<std::vector<std::uint8_t>> hex_decode(std::string_view text) {
    auto value = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (text.size() % 2 != 0) return fail(Errc::bad_request, "hex text has an odd length");
    std::vector<std::uint8_t> out;
    out.reserve(text.size() / 2);
    for (std::size_t i = 0; i < text.size(); i += 2) {
        int high = value(text[i]);
        int low = value(text[i + 1]);
        if (high < 0 || low < 0) return fail(Errc::bad_request, "hex text has a non-hex digit");
        out.push_back(static_cast<std::uint8_t>(high * 16 + low));
    }
    return out;
}

std::string sha256_hex(std::span<const std::uint8_t> bytes) {
    std::array<std::uint8_t, 32> digest{};
    unsigned int size = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 || size != 32) {
        std::fprintf(stderr, "signet: OpenSSL cannot compute SHA-256 (%s)\n", drain_openssl_errors().c_str());
        std::abort();
    }
    return hex_encode(digest);
}

std::string sha256_hex(std::string_view bytes) {
    return sha256_hex(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

}  // namespace signet
