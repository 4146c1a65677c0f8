#include "pdf/ltv/dss.hpp"

#include <openssl/evp.h>

#include <array>
#include <map>

#include <podofo/podofo.h>

#include "pdf/incremental_update.hpp"
#include "pdf/previous_xref.hpp"
#include "pdf/ltv/loaded_document.hpp"
#include "pdf/form/text.hpp"

namespace signet::pdf {
namespace {

using namespace PoDoFo;

std::string upper_hex(std::span<const unsigned char> bytes) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(2 * bytes.size());
    for (unsigned char byte : bytes) {
        out += digits[byte >> 4];
        out += digits[byte & 0x0F];
    }
    return out;
}

// A stream's identity for "already in the DSS": SHA-256 of its decoded bytes.
using Fingerprint = std::array<unsigned char, 32>;

Fingerprint fingerprint(std::span<const std::uint8_t> bytes) {
    Fingerprint out{};
    EVP_Digest(bytes.data(), bytes.size(), out.data(), nullptr, EVP_sha256(), nullptr);
    return out;
}

// One of /Certs, /OCSPs, /CRLs: the array as the DSS holds it (made when missing), and the
// fingerprints of the streams it lists, so that nothing is stored twice.
class StreamList {
public:
    StreamList(PdfMemDocument& document, PdfDictionary& dss, const char* key) : document_(document) {
        PdfObject* existing = resolved(document, dss.GetKey(PdfName(key)));
        if (existing == nullptr) {
            dss.AddKey(PdfName(key), PdfArray());
            existing = dss.GetKey(PdfName(key));
        }
        if (!existing->IsArray()) {
            throw std::invalid_argument(std::string("the document's /DSS /") + key + " is not an array");
        }
        array_ = &existing->GetArray();
        for (const PdfObject& entry : *array_) {
            PdfObject* stream = entry.IsReference() ? document.GetObjects().GetObject(entry.GetReference()) : nullptr;
            if (stream == nullptr || !stream->HasStream()) continue;  // not ours to judge; kept as it is
            char* buffer = nullptr;
            pdf_long length = 0;
            stream->GetStream()->GetFilteredCopy(&buffer, &length);
            std::unique_ptr<char, decltype(&podofo_free)> owned(buffer, podofo_free);
            known_.emplace(fingerprint({reinterpret_cast<const std::uint8_t*>(buffer), static_cast<std::size_t>(length)}),
                           entry.GetReference());
        }
    }

    // The stream holding `der`: the one listed already, or a new one added to the array.
    PdfReference add(const Der& der) {
        const Fingerprint key = fingerprint(der);
        if (auto found = known_.find(key); found != known_.end()) return found->second;
        PdfObject* stream = document_.GetObjects().CreateObject();
        stream->GetStream()->Set(reinterpret_cast<const char*>(der.data()), static_cast<pdf_long>(der.size()));
        array_->push_back(stream->Reference());
        array_->SetDirty(true);
        known_.emplace(key, stream->Reference());
        return stream->Reference();
    }

private:
    PdfMemDocument& document_;
    PdfArray* array_ = nullptr;
    std::map<Fingerprint, PdfReference> known_;
};

PdfArray references(StreamList& list, const std::vector<Der>& items) {
    PdfArray out;
    for (const Der& der : items) out.push_back(list.add(der));
    return out;
}

Status add_all(PdfMemDocument& document, std::span<const ValidationData> data) {
    PdfDictionary& catalog = document.GetCatalog()->GetDictionary();
    PdfObject* dss = resolved(document, catalog.GetKey(PdfName("DSS")));
    if (dss == nullptr) {
        dss = document.GetObjects().CreateObject(PdfDictionary());
        dss->GetDictionary().AddKey(PdfName::KeyType, PdfName("DSS"));
        catalog.AddKey(PdfName("DSS"), dss->Reference());
    }
    if (!dss->IsDictionary()) return fail(Errc::invalid_document, "the document's /DSS is not a dictionary");
    PdfDictionary& store = dss->GetDictionary();
    StreamList certs(document, store, "Certs");
    StreamList ocsps(document, store, "OCSPs");
    StreamList crls(document, store, "CRLs");
    for (const ValidationData& item : data) {
        PdfArray cert_refs = references(certs, item.certificates);
        PdfArray ocsp_refs = references(ocsps, item.ocsp_responses);
        PdfArray crl_refs = references(crls, item.crls);
        if (item.vri_key.empty()) continue;
        PdfObject* vri = resolved(document, store.GetKey(PdfName("VRI")));
        if (vri == nullptr) {
            store.AddKey(PdfName("VRI"), PdfDictionary());
            vri = store.GetKey(PdfName("VRI"));
        }
        if (!vri->IsDictionary()) return fail(Errc::invalid_document, "the document's /DSS /VRI is not a dictionary");
        PdfDictionary entry;
        if (!cert_refs.empty()) entry.AddKey(PdfName("Cert"), cert_refs);
        if (!ocsp_refs.empty()) entry.AddKey(PdfName("OCSP"), ocsp_refs);
        if (!crl_refs.empty()) entry.AddKey(PdfName("CRL"), crl_refs);
        auto when = pdf_date(item.time);
        if (!when) return std::unexpected(when.error());
        entry.AddKey(PdfName("TU"), PdfString(*when));
        // A signature's entry is replaced by the newer one: it was gathered later and names
        // what it needs, which the arrays keep in any case.
        vri->GetDictionary().AddKey(PdfName(item.vri_key), entry);
    }
    return {};
}

}  // namespace

std::string vri_key(std::span<const std::uint8_t> contents) {
    std::array<unsigned char, 20> digest{};
    EVP_Digest(contents.data(), contents.size(), digest.data(), nullptr, EVP_sha1(), nullptr);
    return upper_hex(digest);
}

Result<std::vector<std::uint8_t>> dss_update(std::span<const std::uint8_t> document,
                                             std::span<const ValidationData> data) {
    bool empty = true;
    for (const ValidationData& item : data) {
        if (!item.certificates.empty() || !item.ocsp_responses.empty() || !item.crls.empty()) empty = false;
    }
    if (empty) return fail(Errc::bad_request, "there is no validation data to add to the document");
    auto previous = find_previous_xref(document);
    if (!previous) return std::unexpected(previous.error());
    return with_loaded_document<std::vector<std::uint8_t>>(
        document, true, "add its validation data", [&](PdfMemDocument& loaded) -> Result<std::vector<std::uint8_t>> {
            const IncrementalUpdate update(loaded);
            if (auto added = add_all(loaded, data); !added) return std::unexpected(added.error());
            return update.write(document, *previous);
        });
}

}  // namespace signet::pdf
