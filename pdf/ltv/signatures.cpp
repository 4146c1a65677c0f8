#include "pdf/ltv/signatures.hpp"

#include <algorithm>
#include <cctype>
#include <map>
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

// The /DSS /VRI keys of `document` (ETSI EN 319 142-1 §5.4.2.2: upper-case hex SHA-1), the
// names that are not 40 hex digits left out: they key nothing signet or a validator computes.
std::vector<std::string> vri_keys(PdfMemDocument& document) {
    std::vector<std::string> keys;
    PdfObject* dss = resolved(document, document.GetCatalog()->GetDictionary().GetKey(PdfName("DSS")));
    if (dss == nullptr || !dss->IsDictionary()) return keys;
    PdfObject* vri = resolved(document, dss->GetDictionary().GetKey(PdfName("VRI")));
    if (vri == nullptr || !vri->IsDictionary()) return keys;
    for (const auto& [name, value] : vri->GetDictionary().GetKeys()) {
        std::string key = name.GetName();
        if (key.size() != 40 || !std::all_of(key.begin(), key.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; })) {
            continue;
        }
        std::transform(key.begin(), key.end(), key.begin(), [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
        keys.push_back(std::move(key));
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
}

// A hostile file could name many revisions; past this many, later time-stamps cover no keys
// (their signatures' level then reads B-LT rather than B-LTA, never the other way round).
constexpr std::size_t max_revisions_read = 32;

// Fills each document time-stamp's covered_vri_keys: the DSS of the file up to the end of its
// ByteRange, which is a whole revision (the one that added the time-stamp) when the ByteRange
// is what ISO 32000-2 §12.8.1 asks for. PoDoFo 0.9.8 keeps no offsets of the revisions it
// reads, so that revision is loaded as a document of its own; a prefix that does not load is
// not an error of the listing: it covers no keys, and validation judges the ByteRange itself.
void fill_covered_keys(std::span<const std::uint8_t> document, std::vector<SignatureField>& fields,
                       const std::vector<std::string>& latest) {
    std::map<std::uint64_t, std::vector<std::string>> read;
    for (SignatureField& field : fields) {
        if (!field.document_timestamp) continue;
        const auto start = static_cast<std::uint64_t>(field.byte_range[2]);
        const auto length = static_cast<std::uint64_t>(field.byte_range[3]);
        if (start > document.size() || length > document.size() - start) continue;
        const std::uint64_t end = start + length;
        if (end == document.size()) {
            field.covered_vri_keys = latest;
            continue;
        }
        auto known = read.find(end);
        if (known == read.end()) {
            if (read.size() >= max_revisions_read) continue;
            auto keys = with_loaded_document<std::vector<std::string>>(
                document.first(static_cast<std::size_t>(end)), false, "read an earlier revision",
                [](PdfMemDocument& loaded) -> Result<std::vector<std::string>> { return vri_keys(loaded); });
            known = read.emplace(end, keys ? std::move(*keys) : std::vector<std::string>{}).first;
        }
        field.covered_vri_keys = known->second;
    }
}

}  // namespace

Result<SignatureList> list_signatures(std::span<const std::uint8_t> document) {
    auto listed = with_loaded_document<SignatureList>(
        document, false, "list its signatures", [](PdfMemDocument& loaded) -> Result<SignatureList> {
            SignatureList list;
            list.vri_keys = vri_keys(loaded);
            Walk walk(loaded);
            PdfObject* form = resolved(loaded, loaded.GetCatalog()->GetDictionary().GetKey(PdfName("AcroForm")));
            if (form == nullptr || !form->IsDictionary()) return list;
            PdfObject* fields = resolved(loaded, form->GetDictionary().GetKey(PdfName("Fields")));
            if (fields == nullptr || !fields->IsArray()) return list;
            for (PdfObject& field : fields->GetArray()) walk.field(&field, "", 0);
            list.fields = walk.take();
            return list;
        });
    if (listed) fill_covered_keys(document, listed->fields, listed->vri_keys);
    return listed;
}

}  // namespace signet::pdf
