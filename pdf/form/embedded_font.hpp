#pragma once
// The font of visible boxes: DejaVu Sans (Debian's fonts-dejavu-core), embedded in each document
// as a subset (ISO 32000-1 §9.6.4, §9.7: a Type0 font, Identity-H, CIDFontType2 with /ToUnicode),
// so that a box shows every Latin character the same in every reader, needs no font of the
// reader's machine (PDF/A) and gives its text back to pdftotext. Internal to pdf/form.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace PoDoFo {
class PdfDocument;
class PdfFont;
}  // namespace PoDoFo

namespace signet::pdf {

// The TrueType file, read once per process on first use from SIGNET_APPEARANCE_FONT (the
// build's setting, /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf by default). A PDF worker
// reads it in its warm-up, before its sandbox forbids opening files. Errc::internal when it
// cannot be read: the installation is broken.
Result<std::shared_ptr<const std::vector<char>>> appearance_font_file();

// One document's copy of the font. Every text drawn with it must be measured and drawn through
// this class, and finish() called after the last one: PoDoFo writes the subset (/FontFile2,
// /W, /ToUnicode, /CIDSet) only then, and only for the glyphs drawn.
class SubsetFont {
public:
    // `tag` names the subset: "ABCDEF+" is put before the font's name (six capitals; ISO
    // 32000-1 §9.6.4). PoDoFo's errors are thrown as PoDoFo::PdfError.
    static Result<SubsetFont> create(PoDoFo::PdfDocument& document, const std::string& tag);
    SubsetFont(SubsetFont&&) noexcept;
    SubsetFont& operator=(SubsetFont&&) noexcept;
    ~SubsetFont();

    PoDoFo::PdfFont& font() { return *font_; }
    bool has_glyph(char32_t c) const;
    // The width of UTF-8 `text` at `size` points (PoDoFo draws without kerning, so this is
    // what is drawn), and the font's ascent and descent per point of size.
    double width(const std::string& text, double size) const;
    double ascent() const;
    double descent() const;  // positive
    // Embeds the subset of the glyphs drawn. Once, after the last DrawText.
    void finish();

private:
    struct Library;  // the document's FreeType handle, where the font's metrics point
    SubsetFont(std::unique_ptr<Library> library, std::unique_ptr<PoDoFo::PdfFont> font);
    std::unique_ptr<Library> library_;
    std::unique_ptr<PoDoFo::PdfFont> font_;  // goes first
};

// Six capitals from `text`, for SubsetFont::create: two subsets of one font in one file (two
// signatures' boxes) must not share a name.
std::string subset_tag(std::string_view text);

}  // namespace signet::pdf
