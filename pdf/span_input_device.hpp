#pragma once
// A PoDoFo input device that reads the caller's bytes where they are. PoDoFo's own buffer
// device (PdfMemDocument::LoadFromBuffer) copies the document into a std::istringstream and
// reads it through the stream, ~2.4x slower than its file device (NOTES trap 9); a worker
// cannot use the file device either, its seccomp filter has no openat. This one is what the
// file device is, over memory: every call is a bounds check and a memcpy at most.
//
// It behaves like PoDoFo's FILE* device, the one its parser is used with most: a read at the
// end returns EOF and sets the end flag, Look() never does, a seek clears it, and a seek
// before the start is an error.

#include <podofo/podofo.h>

#include <cstddef>
#include <cstdint>
#include <ios>
#include <span>

namespace signet::pdf {

class SpanInputDevice final : public PoDoFo::PdfInputDevice {
public:
    // `bytes` must outlive the device and every PoDoFo document loaded from it: PoDoFo reads
    // objects and streams on demand, long after the load.
    explicit SpanInputDevice(std::span<const std::uint8_t> bytes);

    std::streamoff Tell() const override;
    int GetChar() const override;
    int Look() const override;
    void Seek(std::streamoff offset,
              std::ios_base::seekdir direction = std::ios_base::beg) override;
    std::streamoff Read(char* buffer, std::streamsize length) override;
    bool Eof() const override;
    bool Bad() const override;
    void Clear(std::ios_base::iostate state = std::ios_base::goodbit) const override;

private:
    std::span<const std::uint8_t> bytes_;
    // PdfInputDevice's reading functions are const (its FILE* and stream move underneath);
    // the position and the end flag are that state here.
    mutable std::size_t position_ = 0;
    mutable bool at_end_ = false;
};

}  // namespace signet::pdf
