#include "pdf/form/signature_fields.hpp"

#include <podofo/podofo.h>

#include <functional>

namespace signet::pdf {

using namespace PoDoFo;

namespace {

// How deep a field tree may go: deeper is a loop or an attack, not a form.
constexpr int max_depth = 32;

PdfObject* resolve(PdfMemDocument& document, PdfObject* object) {
    if (object != nullptr && object->IsReference()) return document.GetObjects().GetObject(object->GetReference());
    return object;
}

std::string field_name(const PdfObject& field) {
    const PdfObject* name = field.GetDictionary().GetKey("T");
    return name != nullptr && name->IsString() ? name->GetString().GetStringUtf8() : "";
}

// Calls `visit(field, qualified name)` for each field of the tree under /Fields.
void walk_fields(PdfMemDocument& document, PdfAcroForm& form,
                 const std::function<void(PdfObject&, const std::string&)>& visit) {
    std::function<void(PdfObject*, const std::string&, int)> walk = [&](PdfObject* node, const std::string& parent,
                                                                        int depth) {
        node = resolve(document, node);
        if (node == nullptr || !node->IsDictionary() || depth > max_depth) return;
        std::string own = field_name(*node);
        std::string name = own.empty() ? parent : parent.empty() ? own : parent + "." + own;
        if (!own.empty()) visit(*node, name);
        PdfObject* kids = resolve(document, node->GetDictionary().GetKey("Kids"));
        if (kids == nullptr || !kids->IsArray()) return;
        for (PdfObject& kid : kids->GetArray()) walk(&kid, name, depth + 1);
    };
    PdfObject* fields = form.GetObject()->GetIndirectKey("Fields");
    if (fields == nullptr || !fields->IsArray()) return;
    for (PdfObject& entry : fields->GetArray()) walk(&entry, "", 0);
}

// The page whose /Annots holds `widget`, and its number.
Result<std::pair<PdfPage*, int>> page_of(PdfMemDocument& document, const PdfObject& widget, const std::string& name) {
    const int count = document.GetPageCount();
    for (int i = 0; i < count; ++i) {
        PdfPage* page = document.GetPage(i);
        if (page == nullptr || page->GetObject() == nullptr || !page->GetObject()->IsDictionary()) continue;
        PdfObject* annots = page->GetObject()->GetIndirectKey("Annots");
        if (annots == nullptr || !annots->IsArray()) continue;
        for (const PdfObject& entry : annots->GetArray()) {
            if (entry.IsReference() && entry.GetReference() == widget.Reference()) return std::pair(page, i + 1);
        }
    }
    return fail(Errc::invalid_document, "the signature field " + name + " is on no page");
}

}  // namespace

Result<PdfAcroForm*> prepare_acroform(PdfMemDocument& document, long long sig_flags) {
    PdfAcroForm* form = document.GetAcroForm(true, ePdfAcroFormDefaultAppearance_None);
    if (form == nullptr || form->GetObject() == nullptr || !form->GetObject()->IsDictionary()) {
        return fail(Errc::invalid_document, "the document's /AcroForm is not a dictionary");
    }
    PdfDictionary& dictionary = form->GetObject()->GetDictionary();
    if (!dictionary.HasKey("Fields")) {
        dictionary.AddKey("Fields", PdfArray());
    } else {
        PdfObject* fields = form->GetObject()->GetIndirectKey("Fields");
        if (fields == nullptr || !fields->IsArray()) {
            return fail(Errc::invalid_document, "the document's /AcroForm is damaged: /Fields is not an array");
        }
        if (dictionary.GetKey("Fields")->IsReference()) {
            // PoDoFo's PdfField appends to /Fields without following a reference; an inline
            // copy of the same array means the same to every reader.
            PdfArray copy = fields->GetArray();
            dictionary.AddKey("Fields", copy);
        }
    }
    const PdfObject* flags = form->GetObject()->GetIndirectKey("SigFlags");
    if (flags != nullptr && flags->IsNumber()) sig_flags |= static_cast<long long>(flags->GetNumber()) & 3;
    dictionary.AddKey("SigFlags", PdfObject(static_cast<pdf_int64>(sig_flags)));
    return form;
}

Status check_fields_may_be_added(PdfMemDocument& document) {
    PdfObject* catalog = document.GetCatalog();
    PdfObject* perms = catalog != nullptr && catalog->IsDictionary() ? resolve(document, catalog->GetDictionary().GetKey("Perms")) : nullptr;
    PdfObject* signature = perms != nullptr && perms->IsDictionary() ? resolve(document, perms->GetDictionary().GetKey("DocMDP")) : nullptr;
    if (signature == nullptr || !signature->IsDictionary()) return {};
    long long permission = 2;  // Table 254: the default
    PdfObject* references = resolve(document, signature->GetDictionary().GetKey("Reference"));
    if (references != nullptr && references->IsArray()) {
        for (PdfObject& entry : references->GetArray()) {
            PdfObject* reference = resolve(document, &entry);
            if (reference == nullptr || !reference->IsDictionary()) continue;
            PdfObject* method = resolve(document, reference->GetDictionary().GetKey("TransformMethod"));
            if (method == nullptr || !method->IsName() || method->GetName() != PdfName("DocMDP")) continue;
            PdfObject* params = resolve(document, reference->GetDictionary().GetKey("TransformParams"));
            PdfObject* p = params != nullptr && params->IsDictionary() ? resolve(document, params->GetDictionary().GetKey("P")) : nullptr;
            if (p != nullptr && p->IsNumber()) permission = static_cast<long long>(p->GetNumber());
        }
    }
    if (permission == 1 || permission == 2) {
        return fail(Errc::invalid_document, "the document is certified (DocMDP permission " + std::to_string(permission) +
                                                ") and its certification forbids adding signature fields");
    }
    return {};
}

std::set<std::string> field_names(PdfMemDocument& document, PdfAcroForm& form) {
    std::set<std::string> names;
    walk_fields(document, form, [&](PdfObject&, const std::string& name) { names.insert(name); });
    return names;
}

std::string unique_field_name(const std::set<std::string>& used) {
    for (std::size_t n = 1;; ++n) {
        std::string candidate = "Signature" + std::to_string(n);
        if (!used.contains(candidate)) return candidate;
    }
}

Result<EmptyField> find_empty_field(PdfMemDocument& document, PdfAcroForm& form, const std::string& name,
                                    const std::string& actor) {
    PdfObject* found = nullptr;
    walk_fields(document, form, [&](PdfObject& field, const std::string& qualified) {
        if (qualified == name && found == nullptr) found = &field;
    });
    if (found == nullptr) return fail(Errc::invalid_document, "the document has no field named " + name);
    PdfDictionary& field = found->GetDictionary();
    const PdfObject* type = found->GetIndirectKey("FT");
    if (type == nullptr || !type->IsName() || type->GetName() != PdfName("Sig")) {
        return fail(Errc::invalid_document, "the field " + name + " is not a signature field");
    }
    if (field.HasKey("V")) return fail(Errc::conflict, "the field " + name + " is signed already");
    const PdfObject* signer = found->GetIndirectKey(signer_key);
    if (signer != nullptr && signer->IsString() && signer->GetString().GetStringUtf8() != actor) {
        return fail(Errc::forbidden, "the field " + name + " was placed for " + signer->GetString().GetStringUtf8() +
                                         ", not for " + actor);
    }
    const PdfObject* subtype = found->GetIndirectKey("Subtype");
    if (subtype == nullptr || !subtype->IsName() || subtype->GetName() != PdfName("Widget") ||
        !found->Reference().IsIndirect()) {
        return fail(Errc::invalid_document,
                    "the field " + name + " has separate widgets; signet fills fields whose widget is the field itself");
    }
    const PdfObject* rect = found->GetIndirectKey("Rect");
    if (rect == nullptr || !rect->IsArray() || rect->GetArray().size() != 4) {
        return fail(Errc::invalid_document, "the field " + name + " has no /Rect");
    }
    EmptyField empty;
    const PdfRect area(rect->GetArray());
    empty.rect = {area.GetLeft(), area.GetBottom(), area.GetLeft() + area.GetWidth(), area.GetBottom() + area.GetHeight()};
    std::pair<PdfPage*, int> page;
    SIGNET_TRY(page, page_of(document, *found, name));
    empty.page = page.second;
    SIGNET_TRY(empty.box, page_box(*page.first));
    empty.widget = std::make_unique<PdfAnnotation>(found, page.first);
    return empty;
}

}  // namespace signet::pdf
