#pragma once
// A firm's logo as an image XObject of the document (ISO 32000-1 §8.9.5), from what image/
// made of the file: no pixel is decoded here. Internal to pdf/form.

#include <memory>

#include "image/logo_image.hpp"

namespace PoDoFo {
class PdfDocument;
class PdfImage;
}  // namespace PoDoFo

namespace signet::pdf {

// The logo, with its /SMask when it has transparency. PoDoFo's errors are thrown as
// PoDoFo::PdfError.
std::unique_ptr<PoDoFo::PdfImage> logo_xobject(PoDoFo::PdfDocument& document, const image::LogoImage& logo);

}  // namespace signet::pdf
