// A firm's logo (image/logo_image.hpp) as a PDF worker reads one uploaded by an administrator:
// decode_logo on the input, PNG or JPEG by its signature. What it accepts is checked against
// the interface's promises, and a broken promise aborts: sides in 1..max_side, a JPEG kept
// byte for byte, a PNG's streams inflating to exactly one 8-bit sample per pixel and channel.
// The corpus (tests/fuzz/corpus/logo_image/) holds small valid files of every kind the unit
// tests read and the hostile ones they refuse (declared sizes, SOF types, truncations).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include <zlib.h>

#include "image/logo_image.hpp"

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

// The stream inflates to exactly `expected` bytes.
void require_inflates_to(const std::vector<std::uint8_t>& stream, std::size_t expected) {
    std::vector<std::uint8_t> out(expected + 1);
    uLongf length = static_cast<uLongf>(out.size());
    require(uncompress(out.data(), &length, stream.data(), static_cast<uLong>(stream.size())) ==
            Z_OK);
    require(length == expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace signet::image;
    const std::span<const std::uint8_t> bytes(data, size);
    auto logo = decode_logo(bytes);
    if (!logo) return 0;
    require(logo->width >= 1 && logo->width <= max_side);
    require(logo->height >= 1 && logo->height <= max_side);
    const std::size_t pixels = std::size_t{logo->width} * logo->height;
    if (logo->format == Format::jpeg) {
        require(logo->data.size() == size &&
                std::equal(logo->data.begin(), logo->data.end(), data));
        require(logo->alpha.empty());
        require(logo->inverted_cmyk == (logo->colour == Colour::cmyk));
        return 0;
    }
    require(logo->colour != Colour::cmyk && !logo->inverted_cmyk);
    require_inflates_to(logo->data, pixels * (logo->colour == Colour::rgb ? 3 : 1));
    if (!logo->alpha.empty()) require_inflates_to(logo->alpha, pixels);
    return 0;
}
