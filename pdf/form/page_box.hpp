#pragma once
// Where a box goes on a page: the page itself (with the checks PoDoFo 0.9.8 does not make,
// NOTES trap 7), its MediaBox and its /Rotate, and the matrix that shows a box upright on a
// rotated page. Rectangles are in the page's default user space (ISO 32000-1 §8.3.2.3), as the
// API takes them: the MediaBox's own coordinates, before /Rotate. Internal to pdf/.

#include <array>
#include <string>

#include "base/error.hpp"

namespace PoDoFo {
class PdfMemDocument;
class PdfPage;
}  // namespace PoDoFo

namespace signet::pdf {

using Rect = std::array<double, 4>;  // x1, y1, x2, y2

// Page `number` (1-based), whose /Annots can take a widget. Errc::invalid_document when there
// is no such page or the page tree is damaged.
Result<PoDoFo::PdfPage*> find_page(PoDoFo::PdfMemDocument& document, int number);

struct PageBox {
    Rect media{};
    int rotation = 0;  // /Rotate, inherited, as 0, 90, 180 or 270 (clockwise on screen)
};
// Errc::invalid_document for a /Rotate that is not a multiple of 90.
Result<PageBox> page_box(PoDoFo::PdfPage& page);

// `rect` on page `number`: of non-zero size and inside the MediaBox (a point of rounding
// allowed). Errc::invalid_document, the sentence beginning with `what` ("the appearance
// rectangle", "field Client: its rectangle").
Status check_rect(const PageBox& box, const Rect& rect, int number, const std::string& what);

// A box `width` x `height` (user space) seen upright on a page turned by `rotation`: the size
// to paint it at (the reader's width and height) and the form's /Matrix that turns the painting
// back into user space (ISO 32000-1 §12.5.5 then maps it onto the widget's /Rect).
struct UprightBox {
    double width = 0;
    double height = 0;
    std::array<double, 6> matrix{1, 0, 0, 1, 0, 0};
};
UprightBox upright_box(double width, double height, int rotation);

}  // namespace signet::pdf
