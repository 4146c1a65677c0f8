#pragma once
// The visible signature box: a form XObject with a thin border and the appearance's lines of
// text in base-14 Helvetica (ISO 32000-1 §9.6.2.2: every reader has it, nothing to embed),
// used as the widget's normal appearance (ISO 32000-1 §12.5.5).

#include <string>
#include <vector>

#include "base/error.hpp"

namespace PoDoFo {
class PdfDocument;
class PdfSignatureField;
}  // namespace PoDoFo

namespace signet::pdf {

// Paints a `width` x `height` box with `lines` (the first as a bold title) and sets it as the
// field's normal appearance. The font size is the largest (up to 10 points, 12 for the title)
// at which every line fits; a box too small for legible text is Errc::bad_request.
// PoDoFo errors are thrown as PoDoFo::PdfError, for prepare() to translate.
Status paint_appearance(PoDoFo::PdfDocument& document, PoDoFo::PdfSignatureField& field,
                        double width, double height, const std::vector<std::string>& lines);

}  // namespace signet::pdf
