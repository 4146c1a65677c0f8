#include "pdf/form/logo_xobject.hpp"

#include <podofo/podofo.h>

namespace signet::pdf {

using namespace PoDoFo;

namespace {

// The stream's bytes as they are, under `filter`: JPEG data for the reader's DCT decoder,
// or samples image/ compressed already.
void set_data(PdfImage& image, const image::LogoImage& logo, const std::vector<std::uint8_t>& data,
              const char* filter) {
    PdfMemoryInputStream in(reinterpret_cast<const char*>(data.data()), static_cast<pdf_long>(data.size()));
    image.SetImageDataRaw(logo.width, logo.height, 8, &in);
    // SetImageDataRaw writes no /Filter: the data is what the filter decodes.
    image.GetObject()->GetDictionary().AddKey(PdfName::KeyFilter, PdfName(filter));
}

EPdfColorSpace colour_space(image::Colour colour) {
    switch (colour) {
        case image::Colour::gray: return ePdfColorSpace_DeviceGray;
        case image::Colour::rgb: return ePdfColorSpace_DeviceRGB;
        case image::Colour::cmyk: return ePdfColorSpace_DeviceCMYK;
    }
    return ePdfColorSpace_DeviceRGB;
}

}  // namespace

std::unique_ptr<PdfImage> logo_xobject(PdfDocument& document, const image::LogoImage& logo) {
    auto picture = std::make_unique<PdfImage>(&document);
    picture->SetImageColorSpace(colour_space(logo.colour));
    if (logo.inverted_cmyk) {
        PdfArray decode;
        for (int i = 0; i < 4; ++i) {
            decode.push_back(PdfVariant(1.0));
            decode.push_back(PdfVariant(0.0));
        }
        picture->GetObject()->GetDictionary().AddKey("Decode", decode);
    }
    const bool jpeg = logo.format == image::Format::jpeg;
    set_data(*picture, logo, logo.data, jpeg ? "DCTDecode" : "FlateDecode");
    // A logo is drawn scaled: smoothing keeps its edges clean in readers that honour it.
    picture->SetInterpolate(true);
    if (!logo.alpha.empty()) {
        PdfImage mask(&document);
        mask.SetImageColorSpace(ePdfColorSpace_DeviceGray);
        set_data(mask, logo, logo.alpha, "FlateDecode");
        picture->SetImageSoftmask(&mask);
    }
    return picture;
}

}  // namespace signet::pdf
