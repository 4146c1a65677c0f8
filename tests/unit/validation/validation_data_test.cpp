// validation_data(): the DSS entries a renewal adds, keyed as pdf::vri_key keys them, with the
// chains and the CRLs that validated each signature and time-stamp; a file extended with them
// and a document time-stamp passes the structural checks of tests/support/ltv_checks.hpp
// (qpdf, openssl crl/ocsp/ts), twice in a row as an archive's renewals are.

#include "validation/validation.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "base/x509_encoding.hpp"
#include "tests/support/ltv_checks.hpp"
#include "tests/support/need.hpp"
#include "tests/unit/validation/fixture.hpp"

namespace signet::validation::test {
namespace {

std::vector<std::uint8_t> der(X509* certificate) { return signet::test::need(to_der(certificate)); }

bool holds(const std::vector<pdf::Der>& list, const pdf::Der& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

std::string problems(const signet::test::LtvReport& report) {
    std::string all;
    for (const auto& problem : report.problems) all += problem + "\n";
    return all;
}

}  // namespace

BOOST_AUTO_TEST_CASE(each_valid_verdict_gives_its_vri_key_chains_and_crls) {
    World world;
    const auto file = world.with_document_timestamp(world.signed_document(true));
    const auto listed = World::listed(file);
    const auto verdicts = world.verdicts(file);
    BOOST_REQUIRE(verdicts.size() == 2U);
    const auto data = validation_data(verdicts, listed.fields, world.clock.now());
    BOOST_REQUIRE(data.size() == 2U);
    for (std::size_t i = 0; i < data.size(); ++i) {
        BOOST_TEST(data[i].vri_key == pdf::vri_key(listed.fields[i].contents));
        BOOST_TEST(holds(data[i].certificates, der(world.pki.root.get())));
        BOOST_TEST(holds(data[i].certificates, der(world.tsa_cert.get())));
        BOOST_TEST(data[i].ocsp_responses.empty());
        // One CRL of the root answers for every certificate: stored once per entry.
        BOOST_REQUIRE(data[i].crls.size() == 1U);
        BOOST_TEST(data[i].crls[0] == verdicts[i].statuses.at(0).evidence_der);
    }
    // The signature's entry: its signer, and its time-stamp's TSA; four certificates in all.
    BOOST_TEST(holds(data[0].certificates, der(world.pki.cert.get())));
    BOOST_TEST(data[0].certificates.size() == 3U);
    BOOST_TEST(data[1].certificates.size() == 2U);

    // An invalid verdict gives none.
    auto invalid = world.verdicts(file);
    invalid[0].valid = false;
    BOOST_TEST(validation_data(invalid, listed.fields, world.clock.now()).size() == 1U);
}

BOOST_AUTO_TEST_CASE(a_file_renewed_twice_passes_the_structural_checks) {
    World world;
    world.pki.write_root(world.dir / "anchors.pem");
    std::vector<std::uint8_t> file = world.signed_document(true);
    // Two rounds of extend: validation data for everything found, then a document time-stamp.
    for (int round = 1; round <= 2; ++round) {
        const auto listed = World::listed(file);
        const auto verdicts = world.verdicts(file);
        for (const Verdict& verdict : verdicts) BOOST_TEST_REQUIRE(verdict.valid, reasons(verdicts));
        file = world.with_document_timestamp(world.with_validation_data(file, listed, verdicts));
        const auto path = world.dir / ("renewed" + std::to_string(round) + ".pdf");
        pdf::test::write_bytes(path, file);
        const auto report = signet::test::check_ltv(path, world.dir / "anchors.pem",
                                                    world.dir / ("checks" + std::to_string(round)));
        BOOST_TEST(report.problems.empty(), problems(report));
        BOOST_TEST(report.signatures == 1);
        BOOST_TEST(report.document_timestamps == round);
        // The signature and each earlier document time-stamp has its /VRI entry.
        BOOST_TEST(report.vri_entries == round);
        BOOST_TEST(report.certificates == 3);
        BOOST_TEST(report.crls == 1);
    }
    const auto final_verdicts = world.verdicts(file);
    BOOST_REQUIRE(final_verdicts.size() == 3U);
    BOOST_TEST(final_verdicts[0].level == "B-LTA");
    for (const Verdict& verdict : final_verdicts) BOOST_TEST(verdict.valid, reasons(final_verdicts));
}

}  // namespace signet::validation::test
