#pragma once
// The document's signature fields (ISO 32000-1 §12.7.4.5): the AcroForm they hang from, their
// names, and an empty field found again by name to be signed. The fields signet makes are
// merged field-and-widget dictionaries with no parent; a field placed for a named signer carries
// that signer's id under /SignetSigner (a key readers ignore). Internal to pdf/.

#include <memory>
#include <set>
#include <string>

#include "base/error.hpp"
#include "pdf/form/page_box.hpp"

namespace PoDoFo {
class PdfAcroForm;
class PdfAnnotation;
class PdfMemDocument;
class PdfObject;
}  // namespace PoDoFo

namespace signet::pdf {

inline constexpr const char* signer_key = "SignetSigner";

// The AcroForm, with a /Fields array PoDoFo can append to and `sig_flags` set in /SigFlags
// (ISO 32000-1 Table 219: 1 SignaturesExist, 2 AppendOnly; the bits already set are kept).
Result<PoDoFo::PdfAcroForm*> prepare_acroform(PoDoFo::PdfMemDocument& document, long long sig_flags);

// Refuses (Errc::invalid_document) a document whose certification signature forbids new
// fields: /Perms /DocMDP with /P 1 (no change) or 2 (filling fields and signing only; the
// default), ISO 32000-1 §12.8.2.2. Filling a prepared field stays allowed under P 2.
Status check_fields_may_be_added(PoDoFo::PdfMemDocument& document);

// Every field's fully qualified name (ISO 32000-1 §12.7.3.2: the /T of its ancestors joined by '.').
std::set<std::string> field_names(PoDoFo::PdfMemDocument& document, PoDoFo::PdfAcroForm& form);

// "Signature<n>" with the smallest n that no field uses.
std::string unique_field_name(const std::set<std::string>& used);

// An empty signature field to sign, as its widget (the same dictionary) on its page.
struct EmptyField {
    std::unique_ptr<PoDoFo::PdfAnnotation> widget;
    int page = 1;
    Rect rect{};
    PageBox box;
};
// The field `name`, if `actor` may sign it: Errc::invalid_document when there is no such
// signature field (or it is not one signet can fill), Errc::conflict when it is signed
// already, Errc::forbidden when it was placed for another signer.
Result<EmptyField> find_empty_field(PoDoFo::PdfMemDocument& document, PoDoFo::PdfAcroForm& form,
                                    const std::string& name, const std::string& actor);

}  // namespace signet::pdf
