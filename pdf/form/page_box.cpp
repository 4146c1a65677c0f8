#include "pdf/form/page_box.hpp"

#include <podofo/podofo.h>

#include <cmath>

namespace signet::pdf {

using namespace PoDoFo;

namespace {

// How far (points) a box may stick out of the MediaBox: rounding in callers.
constexpr double rect_tolerance = 1.0;

// /Rotate of the page or of the nearest ancestor that has one (ISO 32000-1 §7.7.3.4).
// PdfPage::GetRotation reads integers only, and a real 90.0 is a valid rotation too.
Result<int> inherited_rotation(PdfObject* node) {
    for (int depth = 0; node != nullptr && node->IsDictionary() && depth < 64; ++depth) {
        if (node->GetDictionary().HasKey("Rotate")) {
            const PdfObject* value = node->GetIndirectKey("Rotate");
            double degrees = 0;
            if (value != nullptr && value->IsNumber()) degrees = static_cast<double>(value->GetNumber());
            else if (value != nullptr && value->IsReal()) degrees = value->GetReal();
            else return fail(Errc::invalid_document, "the page's /Rotate is not a number");
            if (!std::isfinite(degrees) || std::fmod(degrees, 90.0) != 0.0 || std::fabs(degrees) > 36000) {
                return fail(Errc::invalid_document, "the page's /Rotate is not a multiple of 90");
            }
            return ((static_cast<int>(degrees) % 360) + 360) % 360;
        }
        node = node->GetIndirectKey("Parent");
    }
    return 0;
}

std::string number(double value) { return std::to_string(std::lround(value)); }

}  // namespace

Result<PdfPage*> find_page(PdfMemDocument& document, int number) {
    int count = document.GetPageCount();
    if (count <= 0) return fail(Errc::invalid_document, "the document has no pages");
    if (number < 1 || number > count) {
        return fail(Errc::invalid_document, "the document has " + std::to_string(count) +
                                                (count == 1 ? " page" : " pages") + "; page " +
                                                std::to_string(number) + " does not exist");
    }
    // NOTES trap 7: when /Count promises more pages than the tree holds, GetPage returns NULL.
    PdfPage* page = document.GetPage(number - 1);
    if (page == nullptr) {
        return fail(Errc::invalid_document, "the document's page tree is damaged: page " + std::to_string(number) +
                                                " cannot be found although the tree counts " +
                                                std::to_string(count) + " pages");
    }
    // NOTES trap 7: CreateAnnotation dereferences NULL when /Annots exists but is not an
    // array (directly or through a reference).
    PdfObject* page_object = page->GetObject();
    if (page_object == nullptr || !page_object->IsDictionary()) {
        return fail(Errc::invalid_document,
                    "the document's page tree is damaged: page " + std::to_string(number) + " is not a dictionary");
    }
    if (page_object->GetDictionary().HasKey("Annots")) {
        PdfObject* annots = page_object->GetIndirectKey("Annots");
        if (annots == nullptr || !annots->IsArray()) {
            return fail(Errc::invalid_document, "page " + std::to_string(number) +
                                                    " is damaged: its /Annots entry is not an array of annotations");
        }
    }
    return page;
}

Result<PageBox> page_box(PdfPage& page) {
    PageBox box;
    const PdfRect media = page.GetMediaBox();
    box.media = {media.GetLeft(), media.GetBottom(), media.GetLeft() + media.GetWidth(),
                 media.GetBottom() + media.GetHeight()};
    SIGNET_TRY(box.rotation, inherited_rotation(page.GetObject()));
    return box;
}

Status check_rect(const PageBox& box, const Rect& r, int page, const std::string& what) {
    for (double value : r) {
        if (!std::isfinite(value)) return fail(Errc::invalid_document, what + " has a coordinate that is not a number");
    }
    const std::string text = "[" + number(r[0]) + " " + number(r[1]) + " " + number(r[2]) + " " + number(r[3]) + "]";
    if (!(r[0] < r[2]) || !(r[1] < r[3])) {
        return fail(Errc::invalid_document, what + " " + text + " has no area (it must be [x1, y1, x2, y2] with x1 < x2 and y1 < y2)");
    }
    const Rect& m = box.media;
    if (r[0] < m[0] - rect_tolerance || r[1] < m[1] - rect_tolerance || r[2] > m[2] + rect_tolerance ||
        r[3] > m[3] + rect_tolerance) {
        return fail(Errc::invalid_document, what + " " + text + " lies outside page " + std::to_string(page) +
                                                ", whose MediaBox is [" + number(m[0]) + " " + number(m[1]) + " " +
                                                number(m[2]) + " " + number(m[3]) + "]");
    }
    return {};
}

UprightBox upright_box(double width, double height, int rotation) {
    // The reader turns the page clockwise by `rotation`; the form turns its painting back
    // counter-clockwise, translated into the positive quadrant.
    switch (rotation) {
        case 90: return {height, width, {0, 1, -1, 0, width, 0}};
        case 180: return {width, height, {-1, 0, 0, -1, width, height}};
        case 270: return {height, width, {0, -1, 1, 0, 0, height}};
        default: return {width, height, {1, 0, 0, 1, 0, 0}};
    }
}

}  // namespace signet::pdf
