#include "pdf/worker/worker_protocol.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <optional>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>
#include <system_error>

#include "pdf/form/text.hpp"

namespace signet::pdf::worker {
namespace {

// An appearance has a title and a few lines; the request header cap bounds them anyway.
constexpr std::uint64_t max_lines = 64;

Error broken(std::string what) { return Error{Errc::unavailable, std::move(what)}; }

// Waits until `fd` is ready for `events` or the deadline passes.
Status wait_for(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        int timeout = -1;
        if (deadline != no_deadline) {
            auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) return std::unexpected(broken("timed out"));
            timeout = static_cast<int>(std::min<std::chrono::milliseconds::rep>(left.count(),
                                                                                  60'000));
        }
        pollfd entry{fd, events, 0};
        int ready = ::poll(&entry, 1, timeout);
        if (ready > 0) return {};  // readable, writable, or hung up: the next call says which
        if (ready < 0 && errno != EINTR) {
            return std::unexpected(broken("poll failed: " + std::generic_category().message(errno)));
        }
    }
}

std::string peer_error(int error) {
    if (error == EPIPE || error == ECONNRESET) return "the worker closed the connection";
    return std::generic_category().message(error);
}

// Appends and reads fixed-width fields; strings are a length then the bytes.
class Writer {
public:
    void number(std::uint64_t value) {
        auto raw = std::bit_cast<std::array<std::uint8_t, 8>>(value);
        bytes_.insert(bytes_.end(), raw.begin(), raw.end());
    }
    void signed_number(std::int64_t value) { number(static_cast<std::uint64_t>(value)); }
    void real(double value) { number(std::bit_cast<std::uint64_t>(value)); }
    void text(const std::string& value) {
        number(value.size());
        bytes_.insert(bytes_.end(), value.begin(), value.end());
    }
    void bytes(std::span<const std::uint8_t> value) {
        number(value.size());
        bytes_.insert(bytes_.end(), value.begin(), value.end());
    }
    std::vector<std::uint8_t> take() { return std::move(bytes_); }

private:
    std::vector<std::uint8_t> bytes_;
};

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
    bool number(std::uint64_t& value) {
        if (bytes_.size() - at_ < 8) return false;
        std::array<std::uint8_t, 8> raw{};
        std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(at_), 8, raw.begin());
        value = std::bit_cast<std::uint64_t>(raw);
        at_ += 8;
        return true;
    }
    bool signed_number(std::int64_t& value) {
        std::uint64_t raw = 0;
        if (!number(raw)) return false;
        value = static_cast<std::int64_t>(raw);
        return true;
    }
    bool real(double& value) {
        std::uint64_t raw = 0;
        if (!number(raw)) return false;
        value = std::bit_cast<double>(raw);
        return true;
    }
    bool text(std::string& value, std::size_t max_size) {
        std::uint64_t size = 0;
        if (!number(size) || size > max_size || size > bytes_.size() - at_) return false;
        value.assign(reinterpret_cast<const char*>(bytes_.data() + at_), size);
        at_ += size;
        return true;
    }
    bool bytes(std::vector<std::uint8_t>& value, std::size_t max_size) {
        std::uint64_t size = 0;
        if (!number(size) || size > max_size || size > bytes_.size() - at_) return false;
        value.assign(bytes_.begin() + static_cast<std::ptrdiff_t>(at_), bytes_.begin() + static_cast<std::ptrdiff_t>(at_ + size));
        at_ += size;
        return true;
    }
        bool finished() const { return at_ == bytes_.size(); }

private:
    std::span<const std::uint8_t> bytes_;
    std::size_t at_ = 0;
};

bool is_sentence(const std::string& text) {
    return is_valid_utf8(text) && std::none_of(text.begin(), text.end(), [](char c) {
               return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
           });
}

void write_refusal(Writer& out, const Error& error) {
    out.number(1);
    out.number(static_cast<std::uint64_t>(error.code));
    std::string message = error.message.substr(0, max_message_bytes);
    out.text(is_sentence(message) ? message : "the worker's message was not printable");
}

// A worker's refusal: only the codes the PDF functions give, as a sentence.
std::optional<Error> read_refusal(Reader& in) {
    std::uint64_t code = 0;
    std::string message;
    if (!in.number(code) || !in.text(message, max_message_bytes) || !in.finished() || !is_sentence(message)) {
        return std::nullopt;
    }
    auto errc = static_cast<Errc>(code);
    // prepare()'s codes, a field's owner and state (forbidden, conflict) and a logo's size.
    if (errc != Errc::invalid_document && errc != Errc::bad_request && errc != Errc::internal &&
        errc != Errc::forbidden && errc != Errc::conflict && errc != Errc::too_large) {
        return std::nullopt;
    }
    return Error{errc, std::move(message)};
}


}  // namespace

Status send_frame(int fd, std::span<const std::uint8_t> payload, Clock::time_point deadline) {
    const auto length = std::bit_cast<std::array<std::uint8_t, 8>>(std::uint64_t{payload.size()});
    for (std::span<const std::uint8_t> part : {std::span<const std::uint8_t>(length), payload}) {
        while (!part.empty()) {
            // MSG_NOSIGNAL: a dead peer is an EPIPE here, never a SIGPIPE that ends the daemon.
            ssize_t sent = ::send(fd, part.data(), part.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (sent > 0) {
                part = part.subspan(static_cast<std::size_t>(sent));
            } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                SIGNET_CHECK(wait_for(fd, POLLOUT, deadline));
            } else if (sent < 0 && errno != EINTR) {
                return std::unexpected(broken(peer_error(errno)));
            }
        }
    }
    return {};
}

Status receive_exact(int fd, std::span<std::uint8_t> into, Clock::time_point deadline) {
    while (!into.empty()) {
        ssize_t got = ::recv(fd, into.data(), into.size(), MSG_DONTWAIT);
        if (got > 0) {
            into = into.subspan(static_cast<std::size_t>(got));
        } else if (got == 0) {
            return std::unexpected(broken("the worker closed the connection"));
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            SIGNET_CHECK(wait_for(fd, POLLIN, deadline));
        } else if (errno != EINTR) {
            return std::unexpected(broken(peer_error(errno)));
        }
    }
    return {};
}

Result<std::uint64_t> receive_length(int fd, std::uint64_t max_size, Clock::time_point deadline) {
    std::array<std::uint8_t, 8> raw{};
    SIGNET_CHECK(receive_exact(fd, raw, deadline));
    auto length = std::bit_cast<std::uint64_t>(raw);
    if (length > max_size) {
        return std::unexpected(broken("a frame of " + std::to_string(length) +
                                      " bytes exceeds the limit of " + std::to_string(max_size)));
    }
    return length;
}

Result<std::vector<std::uint8_t>> receive_frame(int fd, std::uint64_t max_size,
                                                Clock::time_point deadline) {
    std::uint64_t length = 0;
    SIGNET_TRY(length, receive_length(fd, max_size, deadline));
    // The buffer grows with what arrives: a length alone, from a worker that then sends
    // nothing, must not make this process allocate it.
    constexpr std::size_t step = std::size_t{1} << 20;
    std::vector<std::uint8_t> payload;
    while (payload.size() < length) {
        std::size_t at = payload.size();
        std::size_t part = static_cast<std::size_t>(std::min<std::uint64_t>(length - at, step));
        payload.resize(at + part);
        SIGNET_CHECK(receive_exact(fd, std::span(payload).subspan(at, part), deadline));
    }
    return payload;
}

std::vector<std::uint8_t> encode_request(const PrepareRequest& request) {
    Writer out;
    out.number(static_cast<std::uint64_t>(JobKind::prepare));
    out.number(request.appearance ? 1 : 0);
    if (request.appearance) {
        out.signed_number(request.appearance->page);
        for (double value : request.appearance->rect) out.real(value);
        out.number(request.appearance->lines.size());
        for (const auto& line : request.appearance->lines) out.text(line);
        out.text(request.appearance->field);
        out.text(request.appearance->signer);
        out.number(request.appearance->logo_file ? 1 : 0);
    }
    out.signed_number(request.signing_time.time_since_epoch().count());
    out.number(request.contents_size);
    out.text(request.reason);
    out.number(request.document_timestamp ? 1 : 0);
    return out.take();
}

Result<JobKind> decode_kind(std::span<const std::uint8_t> header) {
    Reader in(header);
    std::uint64_t kind = 0;
    if (!in.number(kind) || kind > static_cast<std::uint64_t>(JobKind::check_logo)) {
        return fail(Errc::bad_request, "the job header names no job");
    }
    return static_cast<JobKind>(kind);
}

std::vector<std::uint8_t> encode_kind(JobKind kind) {
    Writer out;
    out.number(static_cast<std::uint64_t>(kind));
    return out.take();
}

Result<PrepareRequest> decode_request(std::span<const std::uint8_t> header, bool& has_logo) {
    auto malformed = [] { return fail(Errc::bad_request, "the job header is malformed"); };
    Reader in(header);
    PrepareRequest request;
    has_logo = false;
    std::uint64_t kind = 0;
    if (!in.number(kind) || kind != static_cast<std::uint64_t>(JobKind::prepare)) return malformed();
    std::uint64_t has_appearance = 0;
    if (!in.number(has_appearance) || has_appearance > 1) return malformed();
    if (has_appearance == 1) {
        Appearance appearance;
        std::int64_t page = 0;
        std::uint64_t lines = 0;
        if (!in.signed_number(page) || page < 1 || page > std::numeric_limits<int>::max()) {
            return malformed();
        }
        appearance.page = static_cast<int>(page);
        for (double& value : appearance.rect) {
            if (!in.real(value)) return malformed();
        }
        if (!in.number(lines) || lines > max_lines) return malformed();
        appearance.lines.resize(lines);
        for (auto& line : appearance.lines) {
            if (!in.text(line, max_header_bytes)) return malformed();
        }
        std::uint64_t logo = 0;
        if (!in.text(appearance.field, max_header_bytes) || !in.text(appearance.signer, max_header_bytes) ||
            !in.number(logo) || logo > 1) {
            return malformed();
        }
        has_logo = logo == 1;
        request.appearance = std::move(appearance);
    }
    std::int64_t ticks = 0;
    std::uint64_t contents_size = 0;
    std::uint64_t document_timestamp = 0;
    if (!in.signed_number(ticks) || !in.number(contents_size) ||
        !in.text(request.reason, max_header_bytes) || !in.number(document_timestamp) || document_timestamp > 1 ||
        !in.finished()) {
        return malformed();
    }
    request.document_timestamp = document_timestamp == 1;
    request.signing_time =
        std::chrono::system_clock::time_point(std::chrono::system_clock::duration(ticks));
    request.contents_size = static_cast<std::size_t>(contents_size);
    return request;
}

Result<bool> expects_payload(std::span<const std::uint8_t> header) {
    JobKind kind = JobKind::prepare;
    SIGNET_TRY(kind, decode_kind(header));
    if (kind == JobKind::add_dss) return true;
    if (kind != JobKind::prepare) return false;
    bool has_logo = false;
    if (auto request = decode_request(header, has_logo); !request) return std::unexpected(request.error());
    return has_logo;
}

std::vector<std::uint8_t> encode_fields_request(const std::vector<FieldRequest>& fields) {
    Writer out;
    out.number(static_cast<std::uint64_t>(JobKind::add_fields));
    out.number(fields.size());
    for (const FieldRequest& field : fields) {
        out.text(field.name);
        out.signed_number(field.page);
        for (double value : field.rect) out.real(value);
        out.text(field.signer);
    }
    return out.take();
}

Result<std::vector<FieldRequest>> decode_fields_request(std::span<const std::uint8_t> header) {
    auto malformed = [] { return fail(Errc::bad_request, "the job header is malformed"); };
    Reader in(header);
    std::uint64_t kind = 0;
    std::uint64_t count = 0;
    if (!in.number(kind) || kind != static_cast<std::uint64_t>(JobKind::add_fields) || !in.number(count) ||
        count > max_new_fields) {
        return malformed();
    }
    std::vector<FieldRequest> fields(static_cast<std::size_t>(count));
    for (FieldRequest& field : fields) {
        std::int64_t page = 0;
        if (!in.text(field.name, 1024) || !in.signed_number(page) || page < 1 ||
            page > std::numeric_limits<int>::max()) {
            return malformed();
        }
        field.page = static_cast<int>(page);
        for (double& value : field.rect) {
            if (!in.real(value)) return malformed();
        }
        if (!in.text(field.signer, 1024)) return malformed();
    }
    if (!in.finished()) return malformed();
    return fields;
}

std::vector<std::uint8_t> encode_logo_reply(const Result<LogoInfo>& result) {
    Writer out;
    if (!result) {
        write_refusal(out, result.error());
        return out.take();
    }
    out.number(0);
    out.number(static_cast<std::uint64_t>(result->format));
    out.number(result->width);
    out.number(result->height);
    return out.take();
}

Result<Result<LogoInfo>> decode_logo_reply(std::span<const std::uint8_t> reply) {
    auto malformed = [] { return std::unexpected(broken("the worker sent a malformed logo reply")); };
    Reader in(reply);
    std::uint64_t status = 0;
    if (!in.number(status) || status > 1) return malformed();
    if (status == 1) {
        auto refusal = read_refusal(in);
        if (!refusal) return malformed();
        return Result<LogoInfo>(std::unexpected(*refusal));
    }
    std::uint64_t format = 0;
    std::uint64_t width = 0;
    std::uint64_t height = 0;
    if (!in.number(format) || format > 1 || !in.number(width) || !in.number(height) || !in.finished() ||
        width == 0 || height == 0 || width > image::max_side || height > image::max_side) {
        return malformed();
    }
    return Result<LogoInfo>(LogoInfo{static_cast<image::Format>(format), static_cast<unsigned>(width),
                                     static_cast<unsigned>(height)});
}

std::vector<std::uint8_t> encode_reply(const Result<PreparedDocument>& result) {
    Writer out;
    if (!result) {
        write_refusal(out, result.error());
        return out.take();
    }
    out.number(0);
    for (std::size_t value : result->byte_range) out.number(value);
    out.number(result->contents_offset);
    out.number(result->contents_size);
    return out.take();
}

Result<Result<PreparedDocument>> decode_reply(std::span<const std::uint8_t> header) {
    auto malformed = [] { return std::unexpected(broken("the worker sent a malformed reply")); };
    Reader in(header);
    std::uint64_t status = 0;
    if (!in.number(status) || status > 1) return malformed();
    if (status == 1) {
        auto refusal = read_refusal(in);
        if (!refusal) return malformed();
        return Result<PreparedDocument>(std::unexpected(*refusal));
    }
    PreparedDocument prepared;
    std::uint64_t value = 0;
    for (std::size_t& field : prepared.byte_range) {
        if (!in.number(value)) return malformed();
        field = static_cast<std::size_t>(value);
    }
    if (!in.number(value)) return malformed();
    prepared.contents_offset = static_cast<std::size_t>(value);
    if (!in.number(value) || !in.finished()) return malformed();
    prepared.contents_size = static_cast<std::size_t>(value);
    return Result<PreparedDocument>(std::move(prepared));
}


std::vector<std::uint8_t> encode_validation_data(std::span<const ValidationData> data) {
    Writer out;
    out.number(data.size());
    for (const ValidationData& item : data) {
        out.text(item.vri_key);
        out.signed_number(item.time.time_since_epoch().count());
        for (const std::vector<Der>* list : {&item.certificates, &item.ocsp_responses, &item.crls}) {
            out.number(list->size());
            for (const Der& der : *list) out.bytes(der);
        }
    }
    return out.take();
}

Result<std::vector<ValidationData>> decode_validation_data(std::span<const std::uint8_t> payload) {
    auto malformed = [] { return fail(Errc::bad_request, "the validation data is malformed"); };
    Reader in(payload);
    std::uint64_t count = 0;
    if (!in.number(count) || count > max_validation_items) return malformed();
    std::vector<ValidationData> data(static_cast<std::size_t>(count));
    for (ValidationData& item : data) {
        std::int64_t ticks = 0;
        if (!in.text(item.vri_key, 64) || !in.signed_number(ticks)) return malformed();
        item.time = std::chrono::system_clock::time_point(std::chrono::system_clock::duration(ticks));
        for (std::vector<Der>* list : {&item.certificates, &item.ocsp_responses, &item.crls}) {
            std::uint64_t size = 0;
            if (!in.number(size) || size > max_validation_items) return malformed();
            list->resize(static_cast<std::size_t>(size));
            for (Der& der : *list) {
                if (!in.bytes(der, max_validation_bytes)) return malformed();
            }
        }
    }
    if (!in.finished()) return malformed();
    return data;
}

std::vector<std::uint8_t> encode_update_reply(const Result<std::vector<std::uint8_t>>& result) {
    Writer out;
    if (!result) {
        write_refusal(out, result.error());
    } else {
        out.number(0);
    }
    return out.take();
}

Result<Status> decode_update_reply(std::span<const std::uint8_t> header) {
    Reader in(header);
    std::uint64_t status = 0;
    if (!in.number(status) || status > 1) return std::unexpected(broken("the worker sent a malformed reply"));
    if (status == 0) {
        if (!in.finished()) return std::unexpected(broken("the worker sent a malformed reply"));
        return Status{};
    }
    auto refusal = read_refusal(in);
    if (!refusal) return std::unexpected(broken("the worker sent a malformed reply"));
    return Status(std::unexpected(*refusal));
}

namespace {

// A /VRI key is 40 hex digits; a list of them is a count, then each.
void write_keys(Writer& out, const std::vector<std::string>& keys) {
    out.number(keys.size());
    for (const std::string& key : keys) out.text(key);
}

bool read_keys(Reader& in, std::vector<std::string>& keys) {
    std::uint64_t count = 0;
    if (!in.number(count) || count > max_vri_keys) return false;
    keys.resize(static_cast<std::size_t>(count));
    for (std::string& key : keys) {
        if (!in.text(key, 40) || key.size() != 40) return false;
    }
    return true;
}

}  // namespace

std::vector<std::uint8_t> encode_fields_reply(const Result<SignatureList>& result) {
    Writer out;
    if (!result) {
        write_refusal(out, result.error());
        return out.take();
    }
    out.number(0);
    out.number(result->fields.size());
    for (const SignatureField& field : result->fields) {
        out.text(field.name);
        out.number(field.document_timestamp ? 1 : 0);
        out.text(field.sub_filter);
        for (std::int64_t value : field.byte_range) out.signed_number(value);
        out.bytes(field.contents);
        write_keys(out, field.covered_vri_keys);
    }
    write_keys(out, result->vri_keys);
    return out.take();
}

Result<Result<SignatureList>> decode_fields_reply(std::span<const std::uint8_t> reply) {
    auto malformed = [] { return std::unexpected(broken("the worker sent a malformed list of signatures")); };
    Reader in(reply);
    std::uint64_t status = 0;
    if (!in.number(status) || status > 1) return malformed();
    if (status == 1) {
        auto refusal = read_refusal(in);
        if (!refusal) return malformed();
        return Result<SignatureList>(std::unexpected(*refusal));
    }
    std::uint64_t count = 0;
    if (!in.number(count) || count > max_signature_fields) return malformed();
    SignatureList list;
    list.fields.resize(static_cast<std::size_t>(count));
    for (SignatureField& field : list.fields) {
        std::uint64_t stamp = 0;
        if (!in.text(field.name, 1024) || !in.number(stamp) || stamp > 1 || !in.text(field.sub_filter, 128)) {
            return malformed();
        }
        field.document_timestamp = stamp == 1;
        for (std::int64_t& value : field.byte_range) {
            if (!in.signed_number(value) || value < 0) return malformed();
        }
        if (!in.bytes(field.contents, max_contents_bytes) || !read_keys(in, field.covered_vri_keys)) return malformed();
    }
    if (!read_keys(in, list.vri_keys) || !in.finished()) return malformed();
    return Result<SignatureList>(std::move(list));
}

}  // namespace signet::pdf::worker
