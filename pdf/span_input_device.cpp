#include "pdf/span_input_device.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace signet::pdf {

using namespace PoDoFo;

SpanInputDevice::SpanInputDevice(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

std::streamoff SpanInputDevice::Tell() const { return static_cast<std::streamoff>(position_); }

int SpanInputDevice::GetChar() const {
    if (position_ >= bytes_.size()) {
        at_end_ = true;
        return EOF;
    }
    return bytes_[position_++];
}

int SpanInputDevice::Look() const { return position_ < bytes_.size() ? bytes_[position_] : EOF; }

void SpanInputDevice::Seek(std::streamoff offset, std::ios_base::seekdir direction) {
    std::streamoff base = 0;
    if (direction == std::ios_base::cur) {
        base = static_cast<std::streamoff>(position_);
    } else if (direction == std::ios_base::end) {
        base = static_cast<std::streamoff>(bytes_.size());
    }
    // Offsets come from the document (xref entries, /Prev, /Length): an overflow or a
    // position before the start is the document's fault, reported the way PoDoFo's file
    // device reports a failed fseeko. Beyond the end is allowed, as with fseeko; reads there
    // find EOF.
    std::streamoff target = 0;
    if (__builtin_add_overflow(base, offset, &target) || target < 0) {
        PODOFO_RAISE_ERROR_INFO(ePdfError_InvalidDeviceOperation,
                                "Failed to seek to given position in the file");
    }
    position_ = static_cast<std::size_t>(target);
    at_end_ = false;
}

std::streamoff SpanInputDevice::Read(char* buffer, std::streamsize length) {
    const std::size_t wanted = length > 0 ? static_cast<std::size_t>(length) : 0;
    const std::size_t left = position_ < bytes_.size() ? bytes_.size() - position_ : 0;
    const std::size_t count = std::min(wanted, left);
    if (count > 0) std::memcpy(buffer, bytes_.data() + position_, count);
    position_ += count;
    if (count < wanted) at_end_ = true;  // fread's end-of-file indicator
    return static_cast<std::streamoff>(count);
}

bool SpanInputDevice::Eof() const { return at_end_; }

bool SpanInputDevice::Bad() const { return false; }

void SpanInputDevice::Clear(std::ios_base::iostate) const { at_end_ = false; }

}  // namespace signet::pdf
