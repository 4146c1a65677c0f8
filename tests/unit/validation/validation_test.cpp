// validate() on files made by signet's own PAdES code, time-stamped by `openssl ts -reply`, with
// revocation from CRL files issued by devpki: the levels found, the proven time, the chains and
// statuses, and each refusal with the reason that names its cause.

#include "validation/validation.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "base/x509_encoding.hpp"
#include "tests/support/need.hpp"
#include "tests/unit/validation/fixture.hpp"
#include "timestamp/token_info.hpp"

namespace signet::validation::test {
namespace {

Timestamp gen_time_of(const std::vector<std::uint8_t>& token) {
    auto info = timestamp::read_token(token);
    BOOST_REQUIRE_MESSAGE(info, signet::test::error_of(info));
    return std::chrono::floor<std::chrono::seconds>(info->gen_time);
}

std::string subject(const X509Ptr& certificate) { return name_text(X509_get_subject_name(certificate.get())); }

// A change of one byte that PDF readers do not notice: the line break before an "endobj" at or
// after `from` becomes a space. The file still lists the same fields; its bytes differ.
void change_one_byte(std::vector<std::uint8_t>& file, std::size_t from) {
    const std::string text(file.begin(), file.end());
    const std::size_t at = text.find("\nendobj", from);
    BOOST_REQUIRE(at != std::string::npos);
    file[at] = ' ';
}

}  // namespace

BOOST_AUTO_TEST_CASE(our_signatures_at_b_b_and_b_t_are_valid_with_their_chains_and_statuses) {
    World world;
    const Timestamp before = world.clock.now();
    const auto bb = world.verdicts(world.signed_document(false));
    const Timestamp after = world.clock.now();
    BOOST_REQUIRE(bb.size() == 1U);
    BOOST_TEST(bb[0].valid, reasons(bb));
    BOOST_TEST(bb[0].level == "B-B");
    BOOST_TEST(!bb[0].document_timestamp);
    BOOST_TEST(bb[0].reason.empty());
    BOOST_TEST(bb[0].note.empty(), bb[0].note);
    // Nothing but "now" proves a B-B signature's time.
    BOOST_TEST((bb[0].proven_time >= before && bb[0].proven_time <= after));
    BOOST_REQUIRE(bb[0].chain.size() == 2U);
    BOOST_TEST(X509_cmp(bb[0].chain[0].get(), world.pki.cert.get()) == 0);
    BOOST_TEST(X509_cmp(bb[0].chain[1].get(), world.pki.root.get()) == 0);
    BOOST_TEST(bb[0].timestamp_chain.empty());
    // The signer's status from the root's CRL; the anchor has none.
    BOOST_REQUIRE(bb[0].statuses.size() == 1U);
    BOOST_TEST((bb[0].statuses[0].status == revocation::CertStatus::good));
    BOOST_TEST((bb[0].statuses[0].source_kind == revocation::SourceKind::crl_file));
    BOOST_TEST(!bb[0].statuses[0].evidence_der.empty());

    const auto bt_file = world.signed_document(true);
    const auto token = world.last_token();
    const auto bt = world.verdicts(bt_file);
    BOOST_REQUIRE(bt.size() == 1U);
    BOOST_TEST(bt[0].valid, reasons(bt));
    BOOST_TEST(bt[0].level == "B-T");
    BOOST_TEST((bt[0].proven_time == gen_time_of(token)));
    BOOST_REQUIRE(bt[0].timestamp_chain.size() == 2U);
    BOOST_TEST(X509_cmp(bt[0].timestamp_chain[0].get(), world.tsa_cert.get()) == 0);
    // The signer's status, then the TSA's.
    BOOST_TEST(bt[0].statuses.size() == 2U);
}

BOOST_AUTO_TEST_CASE(a_dss_and_a_document_timestamp_make_b_lt_and_b_lta) {
    World world;
    const auto bt_file = world.signed_document(true);
    const auto signature_time = gen_time_of(world.last_token());
    const auto lt = world.with_validation_data(bt_file, World::listed(bt_file), world.verdicts(bt_file));
    const auto at_lt = world.verdicts(lt);
    BOOST_REQUIRE(at_lt.size() == 1U);
    BOOST_TEST(at_lt[0].valid, reasons(at_lt));
    BOOST_TEST(at_lt[0].level == "B-LT");

    const auto lta = world.with_document_timestamp(lt);
    const auto at_lta = world.verdicts(lta);
    BOOST_REQUIRE(at_lta.size() == 2U);
    BOOST_TEST(at_lta[0].valid, reasons(at_lta));
    BOOST_TEST(at_lta[0].level == "B-LTA");
    // The signature time-stamp still proves the signature's time; the document time-stamp is
    // valid at its own genTime, with the TSA chain.
    BOOST_TEST((at_lta[0].proven_time == signature_time));
    BOOST_TEST(at_lta[1].document_timestamp);
    BOOST_TEST(at_lta[1].valid, reasons(at_lta));
    BOOST_TEST(at_lta[1].level == "timestamp");
    BOOST_TEST((at_lta[1].proven_time == gen_time_of(world.last_token())));
    BOOST_REQUIRE(at_lta[1].chain.size() == 2U);
    BOOST_TEST(X509_cmp(at_lta[1].chain[0].get(), world.tsa_cert.get()) == 0);
    BOOST_TEST(at_lta[1].statuses.size() == 1U);

    // A document time-stamp straight after the signature, with no DSS before it: B-T.
    const auto stamped = world.verdicts(world.with_document_timestamp(bt_file));
    BOOST_REQUIRE(stamped.size() == 2U);
    BOOST_TEST(stamped[0].level == "B-T", reasons(stamped));
}

BOOST_AUTO_TEST_CASE(a_changed_byte_under_the_signature_is_refused) {
    World world;
    auto file = world.signed_document(false);
    change_one_byte(file, 0);
    const auto verdicts = world.verdicts(file);
    BOOST_TEST(verdicts.size() == 1U);
    expect_refused(verdicts, 0, "the document was changed after it was signed");
    BOOST_TEST(verdicts[0].level == "B-B");
}

BOOST_AUTO_TEST_CASE(a_document_timestamp_over_changed_bytes_is_refused_and_the_signature_kept) {
    World world;
    const auto signed_file = world.signed_document(false);
    auto file = world.with_document_timestamp(signed_file);
    // In the time-stamp's revision only: the signature does not cover it.
    change_one_byte(file, signed_file.size());
    const auto verdicts = world.verdicts(file);
    expect_refused(verdicts, 1, "the document time-stamp's imprint does not match the bytes it covers");
    BOOST_TEST(verdicts[0].valid, reasons(verdicts));
    // An invalid time-stamp proves nothing: the signature is B-B, proven now.
    BOOST_TEST(verdicts[0].level == "B-B");
}

BOOST_AUTO_TEST_CASE(a_signer_outside_the_trust_anchors_is_refused) {
    World world;
    const auto file = world.signed_document(false);
    const Pki stranger = pdf::test::make_pki("ec-p256");
    auto checker = world.checker({world.crl_file()});
    Options options = world.options(*checker);
    options.trust_anchors = {stranger.root.get()};
    auto verdicts = validate(file, World::listed(file), options);
    BOOST_REQUIRE_MESSAGE(verdicts, signet::test::error_of(verdicts));
    expect_refused(*verdicts, 0, "the signer certificate CN=Cabinet Exemple seal");
    BOOST_TEST(contains((*verdicts)[0].reason, "is not valid under the trust anchors"), (*verdicts)[0].reason);
    BOOST_TEST((*verdicts)[0].chain.empty());
}

BOOST_AUTO_TEST_CASE(a_signer_revoked_before_the_signature_is_refused) {
    World world;
    world.publish_crl({world.pki.cert.get()});
    const auto verdicts = world.verdicts(world.signed_document(false));
    expect_refused(verdicts, 0, "the signer certificate CN=Cabinet Exemple seal");
    BOOST_TEST(contains(verdicts[0].reason, "was revoked on"), verdicts[0].reason);
    BOOST_TEST(contains(verdicts[0].reason, "(unspecified)"), verdicts[0].reason);
}

BOOST_AUTO_TEST_CASE(a_signer_revoked_after_its_signature_timestamp_stays_valid) {
    World world;
    const auto file = world.signed_document(true);
    const Timestamp signed_at = gen_time_of(world.last_token());
    // devpki revokes "now", to the second of time(2), whose coarse clock may lag the precise one
    // by a tick: wait well into the second after the genTime.
    while (std::chrono::system_clock::now() < signed_at + std::chrono::milliseconds(1200)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    world.publish_crl({world.pki.cert.get()});
    const auto verdicts = world.verdicts(file);
    BOOST_TEST_MESSAGE(reasons(verdicts));
    BOOST_REQUIRE(verdicts.size() == 1U);
    BOOST_TEST(verdicts[0].valid, reasons(verdicts));
    BOOST_TEST(verdicts[0].level == "B-T");
    BOOST_REQUIRE(!verdicts[0].statuses.empty());
    BOOST_TEST((verdicts[0].statuses[0].status == revocation::CertStatus::revoked));
    BOOST_TEST(contains(verdicts[0].note, "was revoked on"), verdicts[0].note);
    BOOST_TEST(contains(verdicts[0].note, "after"), verdicts[0].note);
}

BOOST_AUTO_TEST_CASE(an_unknown_sub_filter_is_refused_by_name) {
    // A hand-written form whose signature uses the withdrawn adbe.x509.rsa_sha1 (ISO 32000-2
    // §12.8.3.3 deprecates it), listed by the same code a worker runs.
    const std::string pdf = pdf::test::simple_pdf(
        {}, "/AcroForm << /Fields [5 0 R] /SigFlags 3 >>",
        {"<< /FT /Sig /T (Legacy) /V 6 0 R >>",
         "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.x509.rsa_sha1 /ByteRange [0 10 20 10] "
         "/Contents <3000> >>"});
    const std::vector<std::uint8_t> file(pdf.begin(), pdf.end());
    World world;
    const auto verdicts = world.verdicts(file);
    expect_refused(verdicts, 0, "the /SubFilter 'adbe.x509.rsa_sha1' is not one signet validates");
    BOOST_TEST(verdicts[0].field == "Legacy");
}

BOOST_AUTO_TEST_CASE(a_document_without_signatures_fails_the_call) {
    World world;
    pdf::test::make_ps2pdf(world.dir / "plain.pdf");
    const auto file = pdf::test::read_bytes(world.dir / "plain.pdf");
    auto checker = world.checker({world.crl_file()});
    auto refused = validate(file, World::listed(file), world.options(*checker));
    BOOST_REQUIRE(!refused);
    BOOST_TEST((refused.error().code == Errc::invalid_document));
    BOOST_TEST(refused.error().message == "the document has no signature to extend");
}

BOOST_AUTO_TEST_CASE(a_missing_status_fails_the_call_in_require_mode_and_is_noted_in_prefer_mode) {
    World world;
    const auto file = world.signed_document(false);
    const auto missing = world.dir / "missing.crl";
    auto checker = world.checker({missing});
    auto required = validate(file, World::listed(file), world.options(*checker, true));
    BOOST_REQUIRE(!required);
    BOOST_TEST_MESSAGE(required.error().message);
    BOOST_TEST((required.error().code == Errc::unavailable));
    BOOST_TEST(contains(required.error().message, missing.string()), required.error().message);

    auto preferred = validate(file, World::listed(file), world.options(*checker, false));
    BOOST_REQUIRE_MESSAGE(preferred, signet::test::error_of(preferred));
    BOOST_TEST_MESSAGE(reasons(*preferred));
    BOOST_REQUIRE(preferred->size() == 1U);
    BOOST_TEST((*preferred)[0].valid, reasons(*preferred));
    BOOST_TEST(contains((*preferred)[0].note, "revocation status unknown"), (*preferred)[0].note);
    BOOST_TEST((*preferred)[0].statuses.empty());
    BOOST_TEST(subject((*preferred)[0].chain.at(0)).find("Cabinet Exemple seal") != std::string::npos);
}

}  // namespace signet::validation::test
