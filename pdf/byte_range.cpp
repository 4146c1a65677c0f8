#include "pdf/byte_range.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>

#include "base/openssl_error.hpp"
#include "base/ssl_ptr.hpp"

namespace signet::pdf {
namespace {

// What PoDoFo 0.9.8 writes for the ByteRange (PdfSignatureField::SetSignature): its numbers
// are placeholders of ten digits each, so files up to 9 999 999 999 bytes fit.
constexpr std::string_view byte_range_key = "/ByteRange";
constexpr std::string_view byte_range_placeholder = "[ 0 1234567890 1234567890 1234567890]";
constexpr std::string_view contents_key = "/Contents";

bool is_pdf_whitespace(std::uint8_t c) {
    // ISO 32000-1 §7.2.2, Table 1.
    return c == 0x00 || c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x20;
}

std::string_view as_text(std::span<const std::uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::size_t skip_whitespace(std::string_view text, std::size_t at) {
    while (at < text.size() && is_pdf_whitespace(static_cast<std::uint8_t>(text[at]))) ++at;
    return at;
}

// The offset of '<' when a placeholder array starting at `array_at` is a ByteRange value that
// is followed by /Contents <, else npos.
std::size_t contents_after(std::string_view text, std::size_t array_at) {
    // Before: "/ByteRange" and optional whitespace.
    std::size_t key_end = array_at;
    while (key_end > 0 && is_pdf_whitespace(static_cast<std::uint8_t>(text[key_end - 1]))) {
        --key_end;
    }
    if (key_end < byte_range_key.size() ||
        text.substr(key_end - byte_range_key.size(), byte_range_key.size()) != byte_range_key) {
        return std::string_view::npos;
    }
    // After: optional whitespace, "/Contents", optional whitespace, '<'. Nothing else may sit
    // in between (NOTES trap 3: keys that sort between the two would).
    std::size_t at = skip_whitespace(text, array_at + byte_range_placeholder.size());
    if (text.substr(at, contents_key.size()) != contents_key) return std::string_view::npos;
    at = skip_whitespace(text, at + contents_key.size());
    if (at >= text.size() || text[at] != '<') return std::string_view::npos;
    return at;
}

}  // namespace

Result<Placeholder> patch_byte_range(std::span<std::uint8_t> update, std::size_t update_offset,
                                     std::size_t contents_size) {
    std::string_view text = as_text(update);

    std::size_t array_at = std::string_view::npos;
    std::size_t open_at = std::string_view::npos;
    for (std::size_t found = text.find(byte_range_placeholder);
         found != std::string_view::npos; found = text.find(byte_range_placeholder, found + 1)) {
        std::size_t contents = contents_after(text, found);
        if (contents == std::string_view::npos) continue;
        // Two candidates means we cannot know which one is ours: refuse rather than sign the
        // wrong bytes.
        if (array_at != std::string_view::npos) {
            return fail(Errc::internal,
                        "the written update holds more than one signature placeholder");
        }
        array_at = found;
        open_at = contents;
    }
    if (array_at == std::string_view::npos) {
        return fail(Errc::internal,
                    "the signature placeholder was not found in the written update");
    }

    std::size_t digits = 2 * contents_size;
    std::size_t close_at = open_at + 1 + digits;
    if (close_at >= text.size() || text[close_at] != '>' ||
        text.substr(open_at + 1, digits).find_first_not_of('0') != std::string_view::npos) {
        return fail(Errc::internal, "the signature placeholder does not hold " +
                                        std::to_string(digits) + " zero digits");
    }

    Placeholder placeholder;
    placeholder.byte_range = {0, update_offset + open_at, update_offset + close_at + 1,
                              text.size() - (close_at + 1)};
    placeholder.contents_offset = update_offset + open_at + 1;
    placeholder.contents_size = contents_size;

    // Same width as the placeholder, padded with spaces before ']' (whitespace inside an array
    // is insignificant, ISO 32000-1 §7.3.6), so every offset computed above stays true.
    const auto& r = placeholder.byte_range;
    char buffer[byte_range_placeholder.size() + 1];
    // ISO 32000-1 §12.8.1: offset/length pairs, the first one starting at 0.
    int written = std::snprintf(buffer, sizeof buffer, "[%zu %zu %zu %zu", r[0], r[1], r[2], r[3]);
    if (written < 0 || static_cast<std::size_t>(written) >= byte_range_placeholder.size()) {
        return fail(Errc::internal, "the document is too large for a ten-digit ByteRange");
    }
    std::string value(buffer, static_cast<std::size_t>(written));
    value.resize(byte_range_placeholder.size() - 1, ' ');
    value.push_back(']');
    std::copy(value.begin(), value.end(), update.begin() + static_cast<std::ptrdiff_t>(array_at));
    return placeholder;
}

Result<std::array<std::uint8_t, 32>> byte_range_digest(std::span<const std::uint8_t> original,
                                                       std::span<const std::uint8_t> update,
                                                       const std::array<std::size_t, 4>& range) {
    const std::size_t size = original.size() + update.size();
    if (range[0] > size || range[1] > size - range[0] || range[2] > size ||
        range[3] > size - range[2]) {
        return fail(Errc::internal, "the ByteRange lies outside the document");
    }
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
        return openssl_failure(Errc::internal, "hashing the ByteRange");
    }
    const std::size_t split = original.size();
    for (std::size_t part = 0; part < 4; part += 2) {
        const std::size_t begin = range[part];
        const std::size_t end = begin + range[part + 1];
        // The range's bytes in the original, then its bytes in the update.
        if (begin < split && EVP_DigestUpdate(ctx.get(), original.data() + begin,
                                              std::min(end, split) - begin) != 1) {
            return openssl_failure(Errc::internal, "hashing the ByteRange");
        }
        const std::size_t from = std::max(begin, split);
        if (end > from &&
            EVP_DigestUpdate(ctx.get(), update.data() + (from - split), end - from) != 1) {
            return openssl_failure(Errc::internal, "hashing the ByteRange");
        }
    }
    std::array<std::uint8_t, 32> digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1 || length != digest.size()) {
        return openssl_failure(Errc::internal, "hashing the ByteRange");
    }
    return digest;
}

namespace {

Result<std::array<std::uint8_t, 32>> finish(EVP_MD_CTX* ctx, const char* what) {
    std::array<std::uint8_t, 32> digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx, digest.data(), &length) != 1 || length != digest.size()) {
        return openssl_failure(Errc::internal, what);
    }
    return digest;
}

Result<MdCtx> copy_of(const MdCtx& state, const char* what) {
    MdCtx copy(EVP_MD_CTX_new());
    if (!copy || EVP_MD_CTX_copy_ex(copy.get(), state.get()) != 1) return openssl_failure(Errc::internal, what);
    return copy;
}

}  // namespace

Result<PrefixDigest> PrefixDigest::of(std::span<const std::uint8_t> document) {
    PrefixDigest prefix;
    prefix.state_.reset(EVP_MD_CTX_new());
    if (!prefix.state_ || EVP_DigestInit_ex(prefix.state_.get(), EVP_sha256(), nullptr) != 1 ||
        EVP_DigestUpdate(prefix.state_.get(), document.data(), document.size()) != 1) {
        return openssl_failure(Errc::internal, "hashing the document");
    }
    prefix.size_ = document.size();
    MdCtx own;
    SIGNET_TRY(own, copy_of(prefix.state_, "hashing the document"));
    SIGNET_TRY(prefix.digest_, finish(own.get(), "hashing the document"));
    return prefix;
}

Result<std::array<std::uint8_t, 32>> PrefixDigest::followed_by(std::span<const std::uint8_t> tail) const {
    MdCtx ctx;
    SIGNET_TRY(ctx, copy_of(state_, "hashing the signed file"));
    if (EVP_DigestUpdate(ctx.get(), tail.data(), tail.size()) != 1) {
        return openssl_failure(Errc::internal, "hashing the signed file");
    }
    return finish(ctx.get(), "hashing the signed file");
}

Result<std::array<std::uint8_t, 32>> PrefixDigest::byte_range(std::span<const std::uint8_t> update,
                                                              const std::array<std::size_t, 4>& range) const {
    const std::size_t size = size_ + update.size();
    if (range[0] != 0 || range[1] < size_ || range[1] > size || range[2] < range[1] || range[2] > size ||
        range[3] != size - range[2]) {
        return fail(Errc::internal, "the ByteRange does not cover the document and end the update");
    }
    MdCtx ctx;
    SIGNET_TRY(ctx, copy_of(state_, "hashing the ByteRange"));
    const std::uint8_t* tail = update.data();
    if (EVP_DigestUpdate(ctx.get(), tail, range[1] - size_) != 1 ||
        EVP_DigestUpdate(ctx.get(), tail + (range[2] - size_), range[3]) != 1) {
        return openssl_failure(Errc::internal, "hashing the ByteRange");
    }
    return finish(ctx.get(), "hashing the ByteRange");
}

}  // namespace signet::pdf
