#pragma once
// The visible signature box, the widget's normal appearance (ISO 32000-1 §12.5.5): a thin
// border, the firm's logo on the left (kept to its aspect ratio) when there is one, and the
// lines of text beside it in DejaVu Sans embedded as a subset (embedded_font.hpp), wrapped and
// shrunk to fit. On a rotated page the box is painted upright for the reader (page_box.hpp).

#include <string>
#include <vector>

#include "base/error.hpp"
#include "image/logo_image.hpp"
#include "pdf/form/page_box.hpp"

namespace PoDoFo {
class PdfDocument;
class PdfSignatureField;
}  // namespace PoDoFo

namespace signet::pdf {

struct BoxContent {
    std::vector<std::string> lines;          // UTF-8, the first drawn as the title
    const image::LogoImage* logo = nullptr;  // none: the text takes the whole box
};

// Paints `content` for a widget whose /Rect is `rect` on a page turned by `rotation` and sets
// it as the field's normal appearance. The font size is the largest (up to 10 points, 12 for
// the title) at which the wrapped lines fit; a box too small for legible text is
// Errc::bad_request. PoDoFo errors are thrown as PoDoFo::PdfError, for the caller to translate.
Status paint_appearance(PoDoFo::PdfDocument& document, PoDoFo::PdfSignatureField& field, const Rect& rect, int rotation,
                        const BoxContent& content);

// The appearance of a field placed to be signed later: a light dashed frame, so that the box
// shows where the signature will go.
void paint_empty_appearance(PoDoFo::PdfDocument& document, PoDoFo::PdfSignatureField& field, const Rect& rect, int rotation);

}  // namespace signet::pdf
