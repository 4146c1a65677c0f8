// The checker over the real responder: the order of sources, the cache (counted in requests the
// responder served), one fetch for two concurrent callers, expiry, the bound on the cache,
// persistence callbacks, and failures that name the URL.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>

#include "revocation/revocation_checker.hpp"
#include "tests/support/need.hpp"
#include "tests/unit/revocation/fixture.hpp"

namespace signet::revocation {
namespace {

using namespace std::chrono_literals;
using test::contains;
using test::error_of;

CheckerOptions quick() {
    CheckerOptions options;
    options.ocsp.http.connect_timeout = 2000ms;
    options.ocsp.http.total_timeout = 5000ms;
    return options;
}

BOOST_AUTO_TEST_SUITE(revocation_checker)

BOOST_FIXTURE_TEST_CASE(ocsp_first_then_cached, test::RevocationWorld) {
    const SystemClock clock;
    RevocationChecker checker(quick(), clock);
    for (int round = 0; round < 3; ++round) {
        const auto status = checker.check(leaf.get(), ca.get());
        BOOST_REQUIRE_MESSAGE(status, error_of(status));
        BOOST_TEST(status->status == CertStatus::good);
        BOOST_TEST((status->source_kind == SourceKind::ocsp));
    }
    BOOST_TEST(responder.ocsp_requests() == 1u);
    BOOST_TEST(responder.crl_requests() == 0u);
    BOOST_TEST(checker.fetches() == 1u);
    BOOST_TEST(checker.cache_hits() == 2u);
}

BOOST_FIXTURE_TEST_CASE(crl_over_http_shared_by_certificates, test::RevocationWorld) {
    pki.revoke(pki.leaf2, "keyCompromise");
    pki.make_crl(dir / "ca.crl", 24);
    responder.set_crl(dir / "ca.crl");
    CheckerOptions options = quick();
    options.use_ocsp = false;
    const SystemClock clock;
    RevocationChecker checker(options, clock);
    const auto good = checker.check(leaf.get(), ca.get());
    BOOST_REQUIRE_MESSAGE(good, error_of(good));
    BOOST_TEST(good->status == CertStatus::good);
    BOOST_TEST((good->source_kind == SourceKind::crl_url));
    BOOST_TEST(good->source == pki.crl_url());
    const auto revoked = checker.check(leaf2.get(), ca.get());
    BOOST_REQUIRE_MESSAGE(revoked, error_of(revoked));
    BOOST_TEST(revoked->status == CertStatus::revoked);
    BOOST_TEST(revoked->reason == 1);
    const auto cdp = checker.check(leaf_cdp.get(), ca.get());
    BOOST_REQUIRE_MESSAGE(cdp, error_of(cdp));
    BOOST_TEST(responder.crl_requests() == 1u);  // one CRL for three certificates
}

BOOST_FIXTURE_TEST_CASE(local_crl_files, test::RevocationWorld) {
    pki.make_crl(dir / "other.crl", 24, true);
    pki.revoke(pki.leaf_none, "cessationOfOperation");
    pki.make_crl(dir / "ca.crl", 24);
    CheckerOptions options = quick();
    options.crl_files = {dir / "other.crl", dir / "ca.crl"};  // the first is another CA's
    const SystemClock clock;
    RevocationChecker checker(options, clock);
    const auto status = checker.check(leaf_none.get(), ca.get());
    BOOST_REQUIRE_MESSAGE(status, error_of(status));
    BOOST_TEST(status->status == CertStatus::revoked);
    BOOST_TEST(status->reason == 5);
    BOOST_TEST((status->source_kind == SourceKind::crl_file));
    BOOST_TEST(status->source == (dir / "ca.crl").string());
}

// A CRL file replaced by its CA's next one counts at once, not at the cached one's nextUpdate.
BOOST_FIXTURE_TEST_CASE(a_replaced_crl_file_counts_at_once, test::RevocationWorld) {
    pki.make_crl(dir / "ca.crl", 24);
    CheckerOptions options = quick();
    options.crl_files = {dir / "ca.crl"};
    const SystemClock clock;
    RevocationChecker checker(options, clock);
    const auto before = checker.check(leaf_none.get(), ca.get());
    BOOST_REQUIRE_MESSAGE(before, error_of(before));
    BOOST_TEST((before->status == CertStatus::good));
    const auto again = checker.check(leaf_none.get(), ca.get());
    BOOST_REQUIRE(again);
    BOOST_TEST(checker.fetches() == 1u);  // unchanged: served from memory

    pki.revoke(pki.leaf_none, "keyCompromise");
    pki.make_crl(dir / "ca.crl", 24);
    const auto after = checker.check(leaf_none.get(), ca.get());
    BOOST_REQUIRE_MESSAGE(after, error_of(after));
    BOOST_TEST((after->status == CertStatus::revoked));
    BOOST_TEST(checker.fetches() == 2u);
}

BOOST_FIXTURE_TEST_CASE(a_refused_ocsp_answer_falls_back_to_the_crl, test::RevocationWorld) {
    responder.configure(pki, pki.plain_cert, pki.plain_key);  // no id-kp-OCSPSigning
    pki.make_crl(dir / "ca.crl", 24);
    responder.set_crl(dir / "ca.crl");
    const SystemClock clock;
    RevocationChecker checker(quick(), clock);
    const auto status = checker.check(leaf.get(), ca.get());
    BOOST_REQUIRE_MESSAGE(status, error_of(status));
    BOOST_TEST((status->source_kind == SourceKind::crl_url));
    BOOST_TEST(responder.ocsp_requests() == 1u);
}

BOOST_AUTO_TEST_CASE(nothing_answers_names_every_url) {
    test::TempDir dir("signet-revocation");
    const std::uint16_t port = test::unused_port(test::first_port, test::last_port);
    test::TestPki pki(dir / "pki", port);
    const auto leaf = test::load_cert(pki.leaf);
    const auto ca = test::load_cert(pki.ca_cert);
    const SystemClock clock;
    RevocationChecker checker(quick(), clock);
    const auto status = checker.check(leaf.get(), ca.get());
    BOOST_REQUIRE(!status);
    const std::string& message = status.error().message;
    BOOST_TEST((status.error().code == Errc::unavailable));
    BOOST_TEST(contains(message, "OCSP " + pki.ocsp_url() + ": connection refused"), message);
    BOOST_TEST(contains(message, "CRL " + pki.crl_url() + ": connection refused"), message);
}

BOOST_FIXTURE_TEST_CASE(no_source_at_all, test::RevocationWorld) {
    const SystemClock clock;
    RevocationChecker checker(quick(), clock);
    const auto status = checker.check(leaf_none.get(), ca.get());
    BOOST_REQUIRE(!status);
    BOOST_TEST(contains(status.error().message, "names no OCSP responder"), status.error().message);
}

BOOST_FIXTURE_TEST_CASE(a_stale_crl_file_gives_no_status, test::RevocationWorld) {
    pki.make_crl(dir / "ca.crl", 1);
    CheckerOptions options = quick();
    options.crl_files = {dir / "ca.crl"};
    ManualClock clock(test::real_now() + 3h);
    RevocationChecker checker(options, clock);
    const auto status = checker.check(leaf_none.get(), ca.get());
    BOOST_REQUIRE(!status);
    BOOST_TEST(contains(status.error().message, "stale"), status.error().message);
}

BOOST_FIXTURE_TEST_CASE(a_hung_responder_is_waited_for_within_the_timeout, test::RevocationWorld) {
    responder.set_mode(test::OcspResponder::Mode::hang);
    CheckerOptions options = quick();
    options.ocsp.http.total_timeout = 700ms;
    const SystemClock clock;
    RevocationChecker checker(options, clock);
    const auto start = std::chrono::steady_clock::now();
    const auto status = checker.check(leaf.get(), ca.get());
    BOOST_REQUIRE(!status);
    BOOST_TEST(contains(status.error().message, pki.ocsp_url() + ": timed out"),
               status.error().message);
    BOOST_TEST((std::chrono::steady_clock::now() - start < 4s));
}

BOOST_FIXTURE_TEST_CASE(one_fetch_for_concurrent_callers, test::RevocationWorld) {
    pki.make_crl(dir / "ca.crl", 24);
    responder.set_crl(dir / "ca.crl");
    responder.set_delay(600ms);
    CheckerOptions options = quick();
    options.use_ocsp = false;
    const SystemClock clock;
    RevocationChecker checker(options, clock);
    Result<RevocationStatus> first = fail(Errc::internal, "not run");
    Result<RevocationStatus> second = fail(Errc::internal, "not run");
    std::thread a([&] { first = checker.check(leaf.get(), ca.get()); });
    std::thread b([&] { second = checker.check(leaf2.get(), ca.get()); });
    a.join();
    b.join();
    BOOST_TEST(first.has_value(), error_of(first));
    BOOST_TEST(second.has_value(), error_of(second));
    BOOST_TEST(responder.crl_requests() == 1u);
    BOOST_TEST(checker.fetches() == 1u);
}

BOOST_FIXTURE_TEST_CASE(one_ocsp_fetch_for_concurrent_callers, test::RevocationWorld) {
    responder.set_delay(600ms);
    const SystemClock clock;
    RevocationChecker checker(quick(), clock);
    std::vector<std::thread> threads;
    std::vector<Result<RevocationStatus>> results(4, fail(Errc::internal, "not run"));
    for (std::size_t i = 0; i < results.size(); ++i)
        threads.emplace_back([&, i] { results[i] = checker.check(leaf.get(), ca.get()); });
    for (auto& thread : threads) thread.join();
    for (const auto& result : results) BOOST_TEST(result.has_value(), error_of(result));
    BOOST_TEST(responder.ocsp_requests() == 1u);
}

BOOST_FIXTURE_TEST_CASE(an_answer_expires_at_its_next_update, test::RevocationWorld) {
    ManualClock clock(test::real_now());
    RevocationChecker checker(quick(), clock);
    BOOST_REQUIRE(checker.check(leaf.get(), ca.get()).has_value());
    clock.advance(61min);  // past the first answer's nextUpdate (60 min)
    responder.configure(pki, pki.responder_cert, pki.responder_key, 180);
    const auto again = checker.check(leaf.get(), ca.get());
    BOOST_REQUIRE_MESSAGE(again, error_of(again));
    BOOST_TEST(responder.ocsp_requests() == 2u);
}

BOOST_FIXTURE_TEST_CASE(the_cache_is_bounded, test::RevocationWorld) {
    CheckerOptions options = quick();
    options.max_cache_entries = 1;
    const SystemClock clock;
    RevocationChecker checker(options, clock);
    BOOST_REQUIRE(checker.check(leaf.get(), ca.get()).has_value());
    BOOST_REQUIRE(checker.check(leaf2.get(), ca.get()).has_value());
    BOOST_TEST(checker.cache_size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(persistence_saves_and_loads_evidence, test::RevocationWorld) {
    std::map<std::string, StoredEvidence> database;
    Persistence persistence;
    persistence.save = [&](const StoredEvidence& evidence) { database[evidence.key] = evidence; };
    persistence.load = [&](const std::string& key) -> std::optional<StoredEvidence> {
        const auto found = database.find(key);
        if (found == database.end()) return std::nullopt;
        return found->second;
    };
    const SystemClock clock;
    {
        RevocationChecker checker(quick(), clock, persistence);
        BOOST_REQUIRE(checker.check(leaf.get(), ca.get()).has_value());
    }
    BOOST_TEST(database.size() == 1u);
    RevocationChecker restarted(quick(), clock, persistence);
    const auto status = restarted.check(leaf.get(), ca.get());
    BOOST_REQUIRE_MESSAGE(status, error_of(status));
    BOOST_TEST(responder.ocsp_requests() == 1u);  // answered from the "database"
    BOOST_TEST(restarted.fetches() == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_chain_gives_one_status_per_link, test::RevocationWorld) {
    const SystemClock clock;
    RevocationChecker checker(quick(), clock);
    const ChainLink chain[] = {{leaf.get(), ca.get()}, {leaf2.get(), ca.get()}};
    const auto statuses = checker.check_chain(chain);
    BOOST_REQUIRE_MESSAGE(statuses, error_of(statuses));
    BOOST_TEST(statuses->size() == 2u);
    // A wrong issuer is refused before any fetch.
    const ChainLink wrong[] = {{leaf.get(), leaf2.get()}};
    BOOST_TEST(!checker.check_chain(wrong).has_value());
}

// B-LT wants evidence issued after the signature time-stamp: an OCSP answer cached from before
// it is asked again, once; a CRL is taken as published.
BOOST_FIXTURE_TEST_CASE(an_answer_older_than_issued_after_is_asked_again, test::RevocationWorld) {
    const SystemClock clock;
    RevocationChecker checker(quick(), clock);
    const auto first = checker.check(leaf.get(), ca.get());
    BOOST_REQUIRE_MESSAGE(first, error_of(first));
    // openssl ocsp writes whole seconds: the next second is after the cached answer.
    const Timestamp later = first->this_update + 1s;
    std::this_thread::sleep_until(std::chrono::system_clock::time_point(later.time_since_epoch()) + 100ms);
    const auto fresh = checker.check(leaf.get(), ca.get(), later);
    BOOST_REQUIRE_MESSAGE(fresh, error_of(fresh));
    BOOST_TEST((fresh->this_update >= later));
    BOOST_TEST(responder.ocsp_requests() == 2u);
    const auto again = checker.check(leaf.get(), ca.get(), later);
    BOOST_REQUIRE_MESSAGE(again, error_of(again));
    BOOST_TEST(responder.ocsp_requests() == 2u);  // the fresh answer is cached

    pki.make_crl(dir / "ca.crl", 24);
    CheckerOptions options = quick();
    options.use_ocsp = false;
    options.crl_files = {dir / "ca.crl"};
    RevocationChecker crls(options, clock);
    const auto crl = crls.check(leaf_none.get(), ca.get(), clock.now() + 3600s);
    BOOST_REQUIRE_MESSAGE(crl, error_of(crl));
    BOOST_TEST((crl->this_update < clock.now() + 3600s));
    BOOST_TEST(crls.fetches() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::revocation
