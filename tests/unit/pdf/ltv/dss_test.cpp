// The Document Security Store update (PAdES B-LT), checked on a signed file by the validators
// that are not signet's (qpdf --check, pdfsig) and read back with PoDoFo.

#include "pdf/ltv/dss.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <podofo/podofo.h>

#include "base/x509_encoding.hpp"
#include "devpki/dev_crl.hpp"
#include "tests/support/need.hpp"
#include "tests/support/pdf_fixtures.hpp"

namespace signet::pdf::test {
namespace {

using namespace PoDoFo;

Der der_of(X509* cert) {
    auto der = signet::to_der(cert);
    BOOST_REQUIRE(der);
    return *der;
}

Der crl_of(const Pki& pki, X509* revoked = nullptr) {
    std::vector<X509*> revoke;
    if (revoked != nullptr) revoke.push_back(revoked);
    auto crl = devpki::next_crl(pki.root.get(), pki.root_key.get(), nullptr, revoke, std::chrono::days(7));
    BOOST_REQUIRE_MESSAGE(crl, signet::test::error_of(crl));
    int length = i2d_X509_CRL(crl->get(), nullptr);
    BOOST_REQUIRE(length > 0);
    Der out(static_cast<std::size_t>(length));
    unsigned char* cursor = out.data();
    BOOST_REQUIRE(i2d_X509_CRL(crl->get(), &cursor) == length);
    return out;
}

// The signature's /Contents as stored: the bytes of the hex string, zero padding included.
Der stored_contents(const SignedFile& signed_file) {
    const std::size_t at = signed_file.prepared.contents_offset;
    Der out;
    for (std::size_t i = 0; i < 2 * signed_file.prepared.contents_size; i += 2) {
        out.push_back(static_cast<std::uint8_t>(
            std::stoi(std::string(reinterpret_cast<const char*>(&signed_file.bytes[at + i]), 2), nullptr, 16)));
    }
    return out;
}

std::vector<std::uint8_t> appended(std::vector<std::uint8_t> file, const std::vector<std::uint8_t>& update) {
    file.insert(file.end(), update.begin(), update.end());
    return file;
}

// The DSS as PoDoFo reads it back: each array's decoded streams, and the VRI entry's sizes.
struct ReadDss {
    std::vector<Der> certs, ocsps, crls;
    bool has_vri = false;
    std::size_t vri_certs = 0, vri_crls = 0;
    std::string vri_tu;
};

ReadDss read_dss(const std::vector<std::uint8_t>& file, const std::string& key) {
    PdfMemDocument document;
    document.LoadFromBuffer(reinterpret_cast<const char*>(file.data()), static_cast<pdf_long>(file.size()));
    auto resolve = [&](PdfObject* object) {
        return object != nullptr && object->IsReference() ? document.GetObjects().GetObject(object->GetReference())
                                                          : object;
    };
    PdfObject* dss = resolve(document.GetCatalog()->GetDictionary().GetKey(PdfName("DSS")));
    BOOST_REQUIRE(dss != nullptr && dss->IsDictionary());
    ReadDss out;
    auto streams = [&](const char* name, std::vector<Der>& into) {
        PdfObject* array = resolve(dss->GetDictionary().GetKey(PdfName(name)));
        if (array == nullptr) return;
        for (const PdfObject& entry : array->GetArray()) {
            char* buffer = nullptr;
            pdf_long length = 0;
            resolve(const_cast<PdfObject*>(&entry))->GetStream()->GetFilteredCopy(&buffer, &length);
            into.emplace_back(buffer, buffer + length);
            podofo_free(buffer);
        }
    };
    streams("Certs", out.certs);
    streams("OCSPs", out.ocsps);
    streams("CRLs", out.crls);
    PdfObject* vri = resolve(dss->GetDictionary().GetKey(PdfName("VRI")));
    if (vri != nullptr && vri->GetDictionary().HasKey(PdfName(key))) {
        out.has_vri = true;
        const PdfDictionary& entry = vri->GetDictionary().GetKey(PdfName(key))->GetDictionary();
        if (entry.HasKey("Cert")) out.vri_certs = entry.GetKey("Cert")->GetArray().size();
        if (entry.HasKey("CRL")) out.vri_crls = entry.GetKey("CRL")->GetArray().size();
        if (entry.HasKey("TU")) out.vri_tu = entry.GetKey("TU")->GetString().GetStringUtf8();
    }
    return out;
}

struct Signed {
    TempDir dir;
    Pki pki = make_pki("ec-p256", 1);
    SignedFile file;
    std::filesystem::path nss = dir / "nss";

    Signed() {
        make_ps2pdf(dir / "in.pdf");
        file = sign_file(dir / "in.pdf", pki, invisible_request(pki));
        make_nss_db(nss, pki);
    }
    ValidationData data() const {
        ValidationData out;
        out.vri_key = vri_key(stored_contents(file));
        out.certificates = {der_of(pki.cert.get()), der_of(pki.intermediates[0].get()), der_of(pki.root.get())};
        out.crls = {crl_of(pki)};
        out.time = std::chrono::system_clock::now();
        return out;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_vri_key_is_the_upper_case_sha1_of_the_stored_contents) {
    const std::vector<std::uint8_t> contents{'a', 'b', 'c'};
    BOOST_TEST(vri_key(contents) == "A9993E364706816ABA3E25717850C26C9CD0D89D");
}

BOOST_AUTO_TEST_CASE(a_dss_update_keeps_the_signature_valid_and_holds_the_data) {
    Signed s;
    const ValidationData data = s.data();
    auto update = dss_update(s.file.bytes, std::span(&data, 1));
    BOOST_REQUIRE_MESSAGE(update, signet::test::error_of(update));
    const auto file = appended(s.file.bytes, *update);
    BOOST_TEST(std::equal(s.file.bytes.begin(), s.file.bytes.end(), file.begin()));  // appended only
    write_bytes(s.dir / "lt.pdf", file);
    check_signed(s.nss, s.dir / "lt.pdf", 1);

    const ReadDss dss = read_dss(file, data.vri_key);
    BOOST_TEST(dss.certs == data.certificates);
    BOOST_TEST(dss.crls == data.crls);
    BOOST_TEST(dss.ocsps.empty());
    BOOST_TEST(dss.has_vri);
    BOOST_TEST(dss.vri_certs == 3U);
    BOOST_TEST(dss.vri_crls == 1U);
    BOOST_TEST(dss.vri_tu.rfind("D:", 0) == 0, dss.vri_tu);
}

BOOST_AUTO_TEST_CASE(a_second_update_extends_the_dss_without_repeating_what_it_holds) {
    Signed s;
    const ValidationData first = s.data();
    auto one = dss_update(s.file.bytes, std::span(&first, 1));
    BOOST_REQUIRE(one);
    const auto once = appended(s.file.bytes, *one);

    // The same chain again, with a newer CRL, and a time-stamp's data that belongs to no VRI.
    ValidationData again = s.data();
    again.crls = {crl_of(s.pki, s.pki.intermediates[0].get())};
    ValidationData unkeyed;
    unkeyed.certificates = {der_of(s.pki.root.get())};
    const std::vector<ValidationData> both{again, unkeyed};
    auto two = dss_update(once, both);
    BOOST_REQUIRE_MESSAGE(two, signet::test::error_of(two));
    const auto twice = appended(once, *two);
    write_bytes(s.dir / "lt2.pdf", twice);
    check_signed(s.nss, s.dir / "lt2.pdf", 1);

    const ReadDss dss = read_dss(twice, first.vri_key);
    BOOST_TEST(dss.certs.size() == 3U);  // nothing twice
    BOOST_TEST(dss.crls.size() == 2U);   // both CRLs: the first one is not taken away
    BOOST_TEST(dss.vri_crls == 1U);      // the entry names the newer one
}

BOOST_AUTO_TEST_CASE(nothing_to_add_or_not_a_pdf_is_refused) {
    Signed s;
    ValidationData empty;
    empty.vri_key = "00";
    auto nothing = dss_update(s.file.bytes, std::span(&empty, 1));
    BOOST_REQUIRE(!nothing);
    BOOST_TEST(nothing.error().code == Errc::bad_request);

    const ValidationData data = s.data();
    const std::vector<std::uint8_t> text{'h', 'e', 'l', 'l', 'o'};
    auto refused = dss_update(text, std::span(&data, 1));
    BOOST_REQUIRE(!refused);
    BOOST_TEST(refused.error().code == Errc::invalid_document);
}

}  // namespace signet::pdf::test
