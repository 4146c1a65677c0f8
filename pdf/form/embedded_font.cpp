#include "pdf/form/embedded_font.hpp"

#include <podofo/podofo.h>

#include <cstdint>
#include <fstream>
#include <iterator>

namespace signet::pdf {

using namespace PoDoFo;  // this file is PoDoFo's fonts and little else

namespace {

PdfString pdf_text(const std::string& utf8) { return PdfString(reinterpret_cast<const pdf_utf8*>(utf8.c_str())); }

Result<std::shared_ptr<const std::vector<char>>> read_font() {
    const char* path = SIGNET_APPEARANCE_FONT;
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes;
    if (in) bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    // A TrueType file begins with the version 0x00010000 (ISO/IEC 14496-22 §5.1.1).
    if (!in || bytes.size() < 12 || bytes[0] != 0 || bytes[1] != 1 || bytes[2] != 0 || bytes[3] != 0) {
        return fail(Errc::internal, std::string("the appearance font ") + path +
                                        " cannot be read as a TrueType font (Debian package fonts-dejavu-core)");
    }
    return std::make_shared<const std::vector<char>>(std::move(bytes));
}

}  // namespace

Result<std::shared_ptr<const std::vector<char>>> appearance_font_file() {
    static const Result<std::shared_ptr<const std::vector<char>>> file = read_font();
    return file;
}

struct SubsetFont::Library {
    FT_Library handle;
};

Result<SubsetFont> SubsetFont::create(PdfDocument& document, const std::string& tag) {
    std::shared_ptr<const std::vector<char>> file;
    SIGNET_TRY(file, appearance_font_file());
    // From memory (FT_Open_Face with FT_OPEN_MEMORY): no file is opened, which the worker's
    // sandbox would refuse. The metrics copy the bytes, and the font owns the metrics.
    auto library = std::make_unique<Library>(Library{document.GetFontLibrary()});
    auto* metrics = new PdfFontMetricsFreetype(&library->handle, file->data(),
                                               static_cast<unsigned>(file->size()), false, tag.c_str());
    PdfFont* font = PdfFontFactory::CreateFontObject(metrics, ePdfFont_Embedded | ePdfFont_Subsetting,
                                                     new PdfIdentityEncoding(0, 0xffff, true), document.GetObjects());
    // On failure CreateFontObject has deleted the metrics and the encoding.
    if (font == nullptr) return fail(Errc::internal, "PoDoFo cannot make the appearance font");
    return SubsetFont(std::move(library), std::unique_ptr<PdfFont>(font));
}

SubsetFont::SubsetFont(std::unique_ptr<Library> library, std::unique_ptr<PdfFont> font)
    : library_(std::move(library)), font_(std::move(font)) {}
SubsetFont::SubsetFont(SubsetFont&&) noexcept = default;
SubsetFont& SubsetFont::operator=(SubsetFont&&) noexcept = default;
SubsetFont::~SubsetFont() = default;

bool SubsetFont::has_glyph(char32_t c) const {
    return font_->GetFontMetrics()->GetGlyphId(static_cast<long>(c)) != 0;
}

double SubsetFont::width(const std::string& text, double size) const {
    font_->SetFontSize(1.0F);
    return font_->GetFontMetrics()->StringWidth(pdf_text(text)) * size;
}

double SubsetFont::ascent() const { return font_->GetFontMetrics()->GetPdfAscent() / 1000.0; }

double SubsetFont::descent() const { return -font_->GetFontMetrics()->GetPdfDescent() / 1000.0; }

void SubsetFont::finish() { font_->EmbedSubsetFont(); }

std::string subset_tag(std::string_view text) {
    // FNV-1a: a name, not a secret.
    std::uint64_t hash = 0xcbf29ce484222325;
    for (char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3;
    std::string tag;
    for (int i = 0; i < 6; ++i, hash /= 26) tag.push_back(static_cast<char>('A' + hash % 26));
    return tag + "+";
}

}  // namespace signet::pdf
