#include "pdf/ltv/signatures.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include <podofo/podofo.h>

#include "pdf/ltv/loaded_document.hpp"

namespace signet::pdf {
namespace {

using namespace PoDoFo;

// A form deeper than this is hostile, not a form (ISO 32000 sets no limit; real ones are 2-3).
constexpr int max_depth = 32;

// A field name as messages show it: the document wrote it, so only when it is short and plain.
std::string shown(const std::string& name) {
    const bool plain = !name.empty() && name.size() <= 64 &&
                       std::all_of(name.begin(), name.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
    return plain ? "'" + name + "'" : "of a field";
}

class Walk {
public:
    explicit Walk(PdfMemDocument& document) : document_(document) {}

    void field(PdfObject* object, const std::string& parent, int depth) {
        object = resolved(object);
        if (object == nullptr || !object->IsDictionary()) return;
        if (depth > max_depth) throw std::invalid_argument("the document's form nests deeper than 32 levels");
        if (object->Reference().IsIndirect() && !seen_.insert(object->Reference()).second) return;  // a cycle
        const PdfDictionary& dictionary = object->GetDictionary();
        std::string name = parent;
        if (const PdfObject* partial = dictionary.GetKey(PdfName("T")); partial != nullptr && (partial->IsString() || partial->IsHexString())) {
            name = (parent.empty() ? "" : parent + ".") + partial->GetString().GetStringUtf8();
        }
        const PdfObject* type = resolved(const_cast<PdfObject*>(dictionary.GetKey(PdfName("FT"))));
        PdfObject* value = resolved(const_cast<PdfObject*>(dictionary.GetKey(PdfName("V"))));
        if (type != nullptr && type->IsName() && type->GetName() == PdfName("Sig") && value != nullptr) {
            found_.push_back(read_value(name, *value));
        }
        if (const PdfObject* kids = resolved(const_cast<PdfObject*>(dictionary.GetKey(PdfName("Kids"))));
            kids != nullptr && kids->IsArray()) {
            for (const PdfObject& kid : kids->GetArray()) field(const_cast<PdfObject*>(&kid), name, depth + 1);
        }
    }

    std::vector<SignatureField> take() { return std::move(found_); }

    PdfObject* resolved(PdfObject* object) const { return pdf::resolved(document_, object); }

private:
    SignatureField read_value(const std::string& name, const PdfObject& value) const {
        if (!value.IsDictionary()) throw std::invalid_argument("the signature field " + shown(name) + " has a value that is not a dictionary");
        const PdfDictionary& dictionary = value.GetDictionary();
        SignatureField out;
        out.name = name;
        if (const PdfObject* type = dictionary.GetKey(PdfName::KeyType); type != nullptr && type->IsName()) {
            out.document_timestamp = type->GetName() == PdfName("DocTimeStamp");
        }
        if (const PdfObject* sub = dictionary.GetKey(PdfName("SubFilter")); sub != nullptr && sub->IsName()) {
            out.sub_filter = sub->GetName().GetName();
        }
        const PdfObject* range = resolved(const_cast<PdfObject*>(dictionary.GetKey(PdfName("ByteRange"))));
        if (range == nullptr || !range->IsArray() || range->GetArray().size() != 4) {
            throw std::invalid_argument("the signature " + shown(name) + " has no /ByteRange of four numbers");
        }
        for (std::size_t i = 0; i < 4; ++i) {
            const PdfObject& number = range->GetArray()[i];
            if (!number.IsNumber() || number.GetNumber() < 0) {
                throw std::invalid_argument("the signature " + shown(name) + " has a /ByteRange that is not four numbers");
            }
            out.byte_range[i] = number.GetNumber();
        }
        const PdfObject* contents = dictionary.GetKey(PdfName("Contents"));
        if (contents == nullptr || !(contents->IsString() || contents->IsHexString())) {
            throw std::invalid_argument("the signature " + shown(name) + " has no /Contents string");
        }
        const PdfString& text = contents->GetString();
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.GetString());
        out.contents.assign(bytes, bytes + text.GetLength());
        return out;
    }

    PdfMemDocument& document_;
    std::set<PdfReference> seen_;
    std::vector<SignatureField> found_;
};

}  // namespace

Result<std::vector<SignatureField>> signature_fields(std::span<const std::uint8_t> document) {
    return with_loaded_document<std::vector<SignatureField>>(
        document, false, "list its signatures", [](PdfMemDocument& loaded) -> Result<std::vector<SignatureField>> {
            Walk walk(loaded);
            PdfObject* form = resolved(loaded, loaded.GetCatalog()->GetDictionary().GetKey(PdfName("AcroForm")));
            if (form == nullptr || !form->IsDictionary()) return std::vector<SignatureField>{};
            PdfObject* fields = resolved(loaded, form->GetDictionary().GetKey(PdfName("Fields")));
            if (fields == nullptr || !fields->IsArray()) return std::vector<SignatureField>{};
            for (PdfObject& field : fields->GetArray()) walk.field(&field, "", 0);
            return walk.take();
        });
}

}  // namespace signet::pdf
