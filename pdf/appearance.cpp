#include "pdf/appearance.hpp"

#include <podofo/podofo.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "pdf/text.hpp"

namespace signet::pdf {

using namespace PoDoFo;  // this file is PoDoFo painting and little else

namespace {

PdfString pdf_text(const std::string& utf8) {
    // A Unicode PdfString: the WinAnsi font converts it to single-byte codes when drawing.
    return PdfString(reinterpret_cast<const pdf_utf8*>(utf8.c_str()));
}

PdfFont* base14_font(PdfDocument& document, const char* name) {
    // AutoSelectBase14 and no embedding: the standard font by name, nothing from fontconfig.
    PdfFont* font = document.CreateFont(name, false, false, false,
                                        PdfEncodingFactory::GlobalWinAnsiEncodingInstance(),
                                        PdfFontCache::eFontCreationFlags_AutoSelectBase14, false);
    if (font == nullptr) PODOFO_RAISE_ERROR_INFO(ePdfError_InvalidHandle, name);
    return font;
}

// Helvetica's ascender and descender (its AFM: 718 and -207 per 1000), to centre the text.
constexpr double helvetica_ascent = 0.718;
constexpr double helvetica_descent = 0.207;
constexpr double leading = 1.2;      // line height / font size
constexpr double title_scale = 1.2;  // the title's size / the other lines' size
constexpr double max_size = 10.0;    // points, for the other lines
constexpr double min_size = 3.0;     // below this nobody reads it: refuse

}  // namespace

Status paint_appearance(PdfDocument& document, PdfSignatureField& field, double width,
                        double height, const std::vector<std::string>& lines) {
    std::vector<std::string> texts;
    for (const auto& line : lines) {
        auto text = to_win_ansi_text(line);
        if (!text) return std::unexpected(text.error());
        texts.push_back(std::move(*text));
    }

    PdfFont* title_font = base14_font(document, "Helvetica-Bold");
    PdfFont* body_font = base14_font(document, "Helvetica");
    auto font_of = [&](std::size_t i) { return i == 0 ? title_font : body_font; };
    auto scale_of = [&](std::size_t i) { return i == 0 ? title_scale : 1.0; };

    // The largest size at which the block of lines fits inside the padding, both ways.
    const double padding = std::clamp(std::min(width, height) * 0.06, 1.0, 4.0);
    const double inner_width = width - 2 * padding;
    const double inner_height = height - 2 * padding;
    const std::size_t count = texts.size();
    double size = max_size;
    if (count > 0) {
        double block = leading * (title_scale + static_cast<double>(count - 1));
        size = std::min(size, inner_height / block);
        for (std::size_t i = 0; i < count; ++i) {
            font_of(i)->SetFontSize(1.0F);
            double unit_width = font_of(i)->GetFontMetrics()->StringWidth(pdf_text(texts[i]));
            if (unit_width > 0) size = std::min(size, inner_width / (unit_width * scale_of(i)));
        }
        if (!(size >= min_size)) {
            return fail(Errc::bad_request,
                        "the signature box (" + std::to_string(std::lround(width)) + " x " +
                            std::to_string(std::lround(height)) + " points) is too small for its " +
                            std::to_string(count) + " lines of text");
        }
    }

    PdfXObject xobject(PdfRect(0, 0, width, height), &document);
    PdfPainter painter;
    painter.SetPage(&xobject);
    try {
        painter.SetStrokingColor(0.0, 0.0, 0.0);
        painter.SetStrokeWidth(0.5);
        painter.Rectangle(0.25, 0.25, width - 0.5, height - 0.5);
        painter.Stroke();
        painter.SetColor(0.0, 0.0, 0.0);
        // The block of lines, centred vertically; each line's glyphs centred in its line box.
        double block =
            count == 0 ? 0.0 : leading * size * (title_scale + static_cast<double>(count - 1));
        double top = height / 2 + block / 2;
        for (std::size_t i = 0; i < count; ++i) {
            double line_size = size * scale_of(i);
            double line_box = leading * line_size;
            double baseline =
                top - line_box / 2 - (helvetica_ascent - helvetica_descent) / 2 * line_size;
            font_of(i)->SetFontSize(static_cast<float>(line_size));
            painter.SetFont(font_of(i));
            painter.DrawText(padding, baseline, pdf_text(texts[i]));
            top -= line_box;
        }
        painter.FinishPage();
    } catch (...) {
        // PdfPainter must not be destroyed mid-page (it asserts); finish, then rethrow.
        try {
            painter.FinishPage();
        } catch (...) {
        }
        throw;
    }
    field.SetAppearanceStream(&xobject, ePdfAnnotationAppearance_Normal);
    return {};
}

}  // namespace signet::pdf
