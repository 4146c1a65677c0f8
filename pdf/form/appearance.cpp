#include "pdf/form/appearance.hpp"

#include <podofo/podofo.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "pdf/form/embedded_font.hpp"
#include "pdf/form/logo_xobject.hpp"
#include "pdf/form/text.hpp"
#include "pdf/form/text_layout.hpp"

namespace signet::pdf {

using namespace PoDoFo;  // this file is PoDoFo painting and little else

namespace {

PdfString pdf_text(const std::string& utf8) { return PdfString(reinterpret_cast<const pdf_utf8*>(utf8.c_str())); }

// The logo's share of the box's width, at most: the text needs the rest.
constexpr double max_logo_share = 0.35;

// A form XObject for an upright box: its /BBox is the box as the reader sees it, its /Matrix
// turns that back into the page's user space.
std::unique_ptr<PdfXObject> upright_form(PdfDocument& document, const UprightBox& box) {
    auto form = std::make_unique<PdfXObject>(PdfRect(0, 0, box.width, box.height), &document);
    PdfArray matrix;
    for (double value : box.matrix) matrix.push_back(PdfVariant(value));
    form->GetObject()->GetDictionary().AddKey("Matrix", matrix);
    return form;
}

// Runs `paint` on a painter of `form`, finishing the page on every path: PdfPainter must not be
// destroyed mid-page (it asserts).
template <class Paint>
void with_painter(PdfXObject& form, Paint&& paint) {
    PdfPainter painter;
    painter.SetPage(&form);
    try {
        paint(painter);
        painter.FinishPage();
    } catch (...) {
        try {
            painter.FinishPage();
        } catch (...) {
        }
        throw;
    }
}

void frame(PdfPainter& painter, double width, double height) {
    painter.SetStrokingColor(0.0, 0.0, 0.0);
    painter.SetStrokeWidth(0.5);
    painter.Rectangle(0.25, 0.25, width - 0.5, height - 0.5);
    painter.Stroke();
}

}  // namespace

Status paint_appearance(PdfDocument& document, PdfSignatureField& field, const Rect& rect, int rotation,
                        const BoxContent& content) {
    const UprightBox box = upright_box(rect[2] - rect[0], rect[3] - rect[1], rotation);
    std::string seed;
    for (const auto& line : content.lines) seed += line + "\n";
    auto made = SubsetFont::create(document, subset_tag(seed + std::to_string(rect[0]) + std::to_string(rect[1])));
    if (!made) return std::unexpected(made.error());
    SubsetFont& font = *made;
    std::vector<std::string> texts;
    for (const auto& line : content.lines) {
        std::string text;
        SIGNET_TRY(text, to_font_text(line, [&](char32_t c) { return font.has_glyph(c); }));
        texts.push_back(std::move(text));
    }

    const double padding = std::clamp(std::min(box.width, box.height) * 0.06, 1.0, 4.0);
    const double inner_height = box.height - 2 * padding;
    // The logo: the box's height, narrower when it is wide, and never more than its share.
    double logo_width = 0;
    double logo_height = 0;
    if (content.logo != nullptr && content.logo->width > 0 && content.logo->height > 0 && inner_height > 0) {
        const double aspect = static_cast<double>(content.logo->width) / content.logo->height;
        logo_height = inner_height;
        logo_width = logo_height * aspect;
        const double max_width = (box.width - 2 * padding) * max_logo_share;
        if (logo_width > max_width) {
            logo_width = max_width;
            logo_height = logo_width / aspect;
        }
    }
    const double text_left = padding + (logo_width > 0 ? logo_width + padding : 0);
    const double text_width = box.width - text_left - padding;
    const TextStyle style;
    auto unit_width = [&](const std::string& text) { return font.width(text, 1.0); };
    std::optional<TextBlock> block;
    if (text_width > 0 && inner_height > 0) block = fit_text(texts, text_width, inner_height, unit_width, style);
    if (!block) {
        return fail(Errc::bad_request, "the signature box (" + std::to_string(std::lround(box.width)) + " x " +
                                           std::to_string(std::lround(box.height)) + " points) is too small for its " +
                                           std::to_string(texts.size()) + " lines of text");
    }

    auto form = upright_form(document, box);
    std::unique_ptr<PdfImage> logo;
    if (logo_width > 0) logo = logo_xobject(document, *content.logo);
    with_painter(*form, [&](PdfPainter& painter) {
        frame(painter, box.width, box.height);
        if (logo) {
            // DrawImage scales per pixel: the factors make the image logo_width x logo_height.
            painter.DrawImage(padding, (box.height - logo_height) / 2, logo.get(),
                              logo_width / content.logo->width, logo_height / content.logo->height);
        }
        painter.SetColor(0.0, 0.0, 0.0);
        // The block centred vertically; each line's glyphs centred in its line box.
        double used = 0;
        for (std::size_t i = 0; i < block->lines.size(); ++i) {
            used += style.leading * block->size * (i < block->title_lines ? style.title_scale : 1.0);
        }
        double top = box.height / 2 + used / 2;
        for (std::size_t i = 0; i < block->lines.size(); ++i) {
            const double size = block->size * (i < block->title_lines ? style.title_scale : 1.0);
            const double line_box = style.leading * size;
            const double baseline = top - line_box / 2 - (font.ascent() - font.descent()) / 2 * size;
            font.font().SetFontSize(static_cast<float>(size));
            painter.SetFont(&font.font());
            painter.DrawText(text_left, baseline, pdf_text(block->lines[i]));
            top -= line_box;
        }
    });
    font.finish();
    field.SetAppearanceStream(form.get(), ePdfAnnotationAppearance_Normal);
    return {};
}

void paint_empty_appearance(PdfDocument& document, PdfSignatureField& field, const Rect& rect, int rotation) {
    const UprightBox box = upright_box(rect[2] - rect[0], rect[3] - rect[1], rotation);
    auto form = upright_form(document, box);
    with_painter(*form, [&](PdfPainter& painter) {
        painter.SetStrokingColor(0.6, 0.6, 0.6);
        painter.SetStrokeWidth(0.5);
        painter.SetStrokeStyle(ePdfStrokeStyle_Dash);
        painter.Rectangle(0.25, 0.25, box.width - 0.5, box.height - 0.5);
        painter.Stroke();
    });
    field.SetAppearanceStream(form.get(), ePdfAnnotationAppearance_Normal);
}

}  // namespace signet::pdf
