// WorkerPool and signet-pdf-worker: the same answers as prepare() in-process for good and
// refused documents, and a pool that survives documents that crash or exhaust PoDoFo, workers
// killed from outside, concurrent callers, and its own destruction.

#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <fstream>
#include <string>
#include <thread>

#include "pdf/byte_range.hpp"
#include "pdf/worker/prepared_check.hpp"
#include "pdf/worker/worker_pool.hpp"
#include "base/x509_encoding.hpp"
#include "pdf/ltv/signatures.hpp"
#include "tests/support/pdf_fixtures.hpp"
#include "tests/support/hostile_pdfs.hpp"
#include "tests/support/need.hpp"

namespace signet::pdf::test {
namespace {

constexpr std::string_view unsafe_sentence = "the document could not be processed safely";

WorkerLimits test_limits(unsigned workers = 2) {
    WorkerLimits limits;
    limits.workers = workers;
    limits.job_deadline = std::chrono::seconds(20);
    limits.cpu_seconds_per_job = 10;
    limits.address_space_bytes = std::size_t{256} << 20;
    return limits;
}

std::unique_ptr<WorkerPool> start_pool(unsigned workers = 2) {
    auto pool = WorkerPool::start(SIGNET_PDF_WORKER, test_limits(workers));
    BOOST_REQUIRE_MESSAGE(pool, "WorkerPool::start: " << signet::test::error_of(pool));
    return std::move(*pool);
}

std::vector<std::uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

PrepareRequest simple_request() {
    PrepareRequest request;
    request.signing_time = std::chrono::system_clock::now();
    request.contents_size = 4096;
    return request;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(worker_pool_test)

BOOST_AUTO_TEST_CASE(a_good_document_comes_back_as_prepare_makes_it_and_signs) {
    TempDir dir{"signet-pdf-worker-pool"};
    Pki pki = make_pki("ec-p256");
    make_nss_db(dir / "nss", pki);
    make_ps2pdf(dir / "ps2pdf.pdf");
    signet::test::write_file(dir / "hand.pdf", simple_pdf());
    auto pool = start_pool();
    for (std::string name : {"ps2pdf", "hand"}) {
        BOOST_TEST_CONTEXT(name) {
            auto input = dir / (name + ".pdf");
            const auto original = read_bytes(input);
            PrepareRequest request = invisible_request(pki);
            request.appearance = box_at(1, {50, 50, 250, 110}, {"Signé", "par un test"});
            request.reason = "approval";
            auto in_process = prepare(input, request);
            BOOST_REQUIRE(in_process);
            auto pooled = pool->prepare("tenant-a", original, request);
            BOOST_REQUIRE_MESSAGE(pooled, signet::test::error_of(pooled));
            // The same placeholder where prepare() puts it (the bytes may differ in /ModDate,
            // NOTES trap 8, never in length).
            BOOST_TEST(pooled->update.size() == in_process->update.size());
            BOOST_TEST(pooled->original_size == original.size());
            BOOST_TEST(pooled->byte_range == in_process->byte_range);
            BOOST_TEST(pooled->contents_offset == in_process->contents_offset);
            BOOST_TEST(pooled->contents_size == in_process->contents_size);
            auto digest = byte_range_digest(original, pooled->update, pooled->byte_range);
            BOOST_REQUIRE(digest);
            BOOST_TEST(pooled->digest == *digest);

            auto cms = build_cades_signature(pooled->digest, pki.signer(),
                                             software_signer(pki.key.get()));
            BOOST_REQUIRE(cms);
            BOOST_REQUIRE(embed(*pooled, *cms));
            write_bytes(dir / (name + "-signed.pdf"), joined(original, *pooled));
            auto report = pdfsig(dir / "nss", dir / (name + "-signed.pdf"));
            BOOST_TEST_INFO("pdfsig said:\n" << report.output);
            BOOST_TEST(valid_trusted_signatures(report.output) == 1);
        }
    }
    BOOST_TEST(pool->restarts() == 0u);
}

// B-LTA's document time-stamp goes through a worker too: the same placeholder as in-process.
BOOST_AUTO_TEST_CASE(a_document_timestamp_is_prepared_by_a_worker) {
    TempDir dir{"signet-pdf-worker-pool"};
    make_ps2pdf(dir / "in.pdf");
    const auto original = read_bytes(dir / "in.pdf");
    PrepareRequest request = simple_request();
    request.document_timestamp = true;
    auto pool = start_pool(1);
    auto in_process = prepare(original, request);
    BOOST_REQUIRE(in_process);
    auto pooled = pool->prepare("tenant-a", original, request);
    BOOST_REQUIRE_MESSAGE(pooled, signet::test::error_of(pooled));
    BOOST_TEST(pooled->byte_range == in_process->byte_range);
    BOOST_TEST(pooled->contents_offset == in_process->contents_offset);
    const std::string update(pooled->update.begin(), pooled->update.end());
    BOOST_TEST(update.find("/Type/DocTimeStamp") != std::string::npos);
}

// B-LT's DSS and extend's list of signatures come from workers too, as in-process.
BOOST_AUTO_TEST_CASE(a_worker_adds_a_dss_and_lists_the_signatures) {
    TempDir dir{"signet-pdf-worker-pool"};
    Pki pki = make_pki("ec-p256");
    make_ps2pdf(dir / "in.pdf");
    SignedFile signed_file = sign_file(dir / "in.pdf", pki, invisible_request(pki));
    auto pool = start_pool(1);

    auto listed = pool->list_signatures("tenant-a", signed_file.bytes);
    BOOST_REQUIRE_MESSAGE(listed, signet::test::error_of(listed));
    auto in_process = list_signatures(signed_file.bytes);
    BOOST_REQUIRE(in_process);
    const std::vector<SignatureField>& fields = listed->fields;
    BOOST_REQUIRE(fields.size() == 1U);
    BOOST_TEST(fields[0].contents == in_process->fields[0].contents);
    BOOST_TEST(fields[0].name == in_process->fields[0].name);
    BOOST_TEST(listed->vri_keys.empty());

    ValidationData data;
    data.vri_key = vri_key(fields[0].contents);
    auto root = signet::to_der(pki.root.get());
    BOOST_REQUIRE(root);
    data.certificates = {*root};
    data.time = std::chrono::system_clock::now();
    auto update = pool->add_dss("tenant-a", signed_file.bytes, std::span(&data, 1));
    BOOST_REQUIRE_MESSAGE(update, signet::test::error_of(update));
    std::vector<std::uint8_t> file = signed_file.bytes;
    file.insert(file.end(), update->begin(), update->end());
    write_bytes(dir / "lt.pdf", file);
    make_nss_db(dir / "nss", pki);
    check_signed(dir / "nss", dir / "lt.pdf", 1);

    // A refusal passes through and keeps the pool working.
    const std::vector<std::uint8_t> text{'n', 'o', 't', ' ', 'a', ' ', 'p', 'd', 'f'};
    auto refused = pool->add_dss("tenant-a", text, std::span(&data, 1));
    BOOST_REQUIRE(!refused);
    BOOST_TEST(refused.error().code == Errc::invalid_document);
    auto again = pool->list_signatures("tenant-a", file);
    BOOST_REQUIRE(again);
    BOOST_TEST(again->fields.size() == 1U);
    // The DSS's /VRI key comes back through the wire.
    BOOST_TEST(again->vri_keys == std::vector<std::string>{data.vri_key});

    // A document time-stamp's placeholder, then a later DSS revision: the sandboxed worker reads
    // the earlier revision the time-stamp covers on its own, and lists only its key as covered.
    PrepareRequest stamp;
    stamp.document_timestamp = true;
    stamp.contents_size = 4096;
    auto prepared = prepare(file, stamp);
    BOOST_REQUIRE(prepared);
    std::vector<std::uint8_t> renewed = joined(file, *prepared);
    ValidationData later = data;
    later.vri_key = std::string(40, 'F');
    auto second = pool->add_dss("tenant-a", renewed, std::span(&later, 1));
    BOOST_REQUIRE_MESSAGE(second, signet::test::error_of(second));
    renewed.insert(renewed.end(), second->begin(), second->end());
    auto covered = pool->list_signatures("tenant-a", renewed);
    BOOST_REQUIRE_MESSAGE(covered, signet::test::error_of(covered));
    BOOST_REQUIRE(covered->fields.size() == 2U);
    BOOST_TEST(covered->fields[1].covered_vri_keys == std::vector<std::string>{data.vri_key});
    BOOST_TEST(covered->vri_keys.size() == 2U);
    BOOST_TEST(pool->restarts() == 0u);
}

BOOST_AUTO_TEST_CASE(podofo_refusals_pass_through_and_keep_the_worker) {
    auto pool = start_pool(1);
    const std::string good = simple_pdf();
    const std::vector<std::pair<std::string, std::string>> refused{
        {"not a PDF", "GIF89a, not a PDF at all"},
        {"truncated", good.substr(0, good.size() / 2)},
        {"cycle in /Kids", kids_loop_pdf()},
        {"arrays nested 100000 deep", nested_arrays_pdf(100000)},
        // 1 GiB of zeros from 1 MiB, against a 256 MiB address space: PoDoFo runs out of
        // memory and says so.
        {"xref stream bomb", xref_stream_bomb_pdf(std::size_t{1} << 30)},
    };
    for (const auto& [name, pdf] : refused) {
        BOOST_TEST_CONTEXT(name) {
            TempDir dir{"signet-pdf-worker-refusal"};
            signet::test::write_file(dir / "in.pdf", pdf);
            auto in_process = prepare(dir / "in.pdf", simple_request());
            auto pooled = pool->prepare("tenant-a", bytes_of(pdf), simple_request());
            BOOST_REQUIRE(!pooled);
            BOOST_TEST_MESSAGE(name << ": " << pooled.error().message);
            BOOST_TEST(pooled.error().code == Errc::invalid_document);
            BOOST_TEST(pooled.error().message.find(unsafe_sentence) == std::string::npos);
            // Word for word what prepare() says in-process (the bomb is not tried in-process:
            // the test process has no address-space limit).
            if (name != "xref stream bomb") {
                BOOST_REQUIRE(!in_process);
                BOOST_TEST(pooled.error().message == in_process.error().message);
            }
        }
    }
    BOOST_TEST(pool->restarts() == 0u);
    BOOST_TEST(pool->prepare("tenant-a", bytes_of(good), simple_request()).has_value());
}

BOOST_AUTO_TEST_CASE(a_document_that_costs_more_than_the_cpu_budget_ends_its_worker) {
    // A million pages cost PoDoFo several seconds of CPU (300,000 came close to one second on a
    // fast machine); with a budget of one second the worker gets SIGXCPU.
    WorkerLimits limits = test_limits(1);
    limits.cpu_seconds_per_job = 1;
    limits.address_space_bytes = 0;  // the 100 MB document needs more than the tests' 256 MiB
    auto pool = WorkerPool::start(SIGNET_PDF_WORKER, limits);
    BOOST_REQUIRE(pool);
    auto result = (*pool)->prepare("tenant-a", bytes_of(flat_page_tree_pdf(1000000)), simple_request());
    BOOST_REQUIRE(!result);
    BOOST_TEST_MESSAGE(result.error().message);
    BOOST_TEST(result.error().code == Errc::invalid_document);
    BOOST_TEST(result.error().message.starts_with(unsafe_sentence));
    BOOST_TEST(result.error().message.find("SIGXCPU") != std::string::npos);
    BOOST_TEST((*pool)->restarts() == 1u);
    BOOST_TEST((*pool)->prepare("tenant-a", bytes_of(simple_pdf()), simple_request()).has_value());
}

BOOST_AUTO_TEST_CASE(a_worker_past_the_deadline_is_killed_and_replaced) {
    WorkerLimits limits = test_limits(1);
    // Long enough to send the 32 MB document on a busy machine, far shorter than parsing it.
    limits.job_deadline = std::chrono::seconds(1);
    limits.address_space_bytes = 0;
    auto pool = WorkerPool::start(SIGNET_PDF_WORKER, limits);
    BOOST_REQUIRE(pool);
    const auto document = bytes_of(flat_page_tree_pdf(300000));
    const auto started = std::chrono::steady_clock::now();
    auto result = (*pool)->prepare("tenant-a", document, simple_request());
    const auto took = std::chrono::steady_clock::now() - started;
    BOOST_REQUIRE(!result);
    BOOST_TEST_MESSAGE(result.error().message);
    BOOST_TEST(result.error().message.starts_with(unsafe_sentence));
    BOOST_TEST(result.error().message.find("timed out") != std::string::npos);
    BOOST_TEST(took < std::chrono::seconds(10));  // cut off, not left to finish
    BOOST_TEST((*pool)->restarts() == 1u);
    BOOST_TEST((*pool)->prepare("tenant-a", bytes_of(simple_pdf()), simple_request()).has_value());
}

BOOST_AUTO_TEST_CASE(a_worker_killed_from_outside_is_replaced) {
    auto pool = start_pool();
    auto pids = pool->worker_pids();
    BOOST_REQUIRE(pids.size() == 2u);
    BOOST_REQUIRE(::kill(pids[0], SIGKILL) == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (int i = 0; i < 4; ++i) {
        auto result = pool->prepare("tenant-a", bytes_of(simple_pdf()), simple_request());
        BOOST_TEST(result.has_value());
    }
    BOOST_TEST(pool->restarts() == 1u);
    // The dead one is gone; its slot is refilled by the first job that finds no idle worker
    // (the one-worker pools of the tests above need that for their last job).
    auto now = pool->worker_pids();
    BOOST_TEST(std::count(now.begin(), now.end(), pids[0]) == 0);
}

// A worker serves documents in turn up to jobs_per_worker, then a fresh one takes its place;
// a refusal ends it at once.
BOOST_AUTO_TEST_CASE(a_worker_serves_several_documents_then_is_replaced) {
    WorkerLimits limits = test_limits(1);
    limits.jobs_per_worker = 3;
    auto started = WorkerPool::start(SIGNET_PDF_WORKER, limits);
    BOOST_REQUIRE_MESSAGE(started, signet::test::error_of(started));
    auto& pool = *started;
    std::vector<pid_t> served_by;
    for (int i = 0; i < 7; ++i) {
        BOOST_REQUIRE(pool->prepare("tenant-a", bytes_of(simple_pdf()), simple_request()).has_value());
        auto idle = pool->worker_pids();
        served_by.push_back(idle.empty() ? -1 : idle.front());
    }
    // After jobs 1 and 2 the same worker is back; after the third it was replaced.
    BOOST_TEST(served_by[0] == served_by[1]);
    BOOST_TEST(served_by[2] != served_by[1]);
    BOOST_TEST(served_by[3] == served_by[4]);
    BOOST_TEST(pool->restarts() == 0u);
    BOOST_TEST(pool->peak_worker_rss_bytes() > 0u);

    const auto before = pool->worker_pids();
    const std::string not_a_pdf = "%PDF-1.4\nnot really\n";
    BOOST_TEST(!pool->prepare("tenant-a", bytes_of(not_a_pdf), simple_request()).has_value());
    const auto after = pool->worker_pids();
    BOOST_TEST((before.empty() || after.empty() || before.front() != after.front()));
    BOOST_TEST(pool->restarts() == 0u);
}

// A worker that has seen one tenant's document never gets another tenant's: with one slot,
// tenant B's job ends tenant A's worker and a fresh one serves it; A's next job gets a fresh
// one again. Two of A's jobs in a row share a worker.
BOOST_AUTO_TEST_CASE(a_worker_serves_one_tenant_only) {
    auto pool = start_pool(1);
    const auto document = bytes_of(simple_pdf());
    auto served = [&](const char* tenant) {
        BOOST_REQUIRE(pool->prepare(tenant, document, simple_request()).has_value());
        auto idle = pool->worker_pids();
        BOOST_REQUIRE_EQUAL(idle.size(), 1u);
        return idle.front();
    };
    const pid_t a1 = served("tenant-a");
    const pid_t a2 = served("tenant-a");
    const pid_t b = served("tenant-b");
    const pid_t a3 = served("tenant-a");
    BOOST_TEST(a1 == a2);
    BOOST_TEST(b != a2);
    BOOST_TEST(a3 != b);
    BOOST_TEST(a3 != a1);
    BOOST_TEST(::kill(a1, 0) == -1);  // ended and reaped, not left idle
    BOOST_TEST(pool->restarts() == 0u);
}

BOOST_AUTO_TEST_CASE(three_threads_share_two_workers) {
    auto pool = start_pool(2);
    const auto document = bytes_of(simple_pdf());
    std::atomic<int> prepared{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 10; ++i) {
                auto result = pool->prepare("tenant-a", document, simple_request());
                if (result && check_prepared(document.size(), 4096, *result)) ++prepared;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    BOOST_TEST(prepared.load() == 30);
    BOOST_TEST(pool->restarts() == 0u);
}

BOOST_AUTO_TEST_CASE(the_destructor_leaves_no_child_behind) {
    std::vector<pid_t> pids;
    {
        auto pool = start_pool(3);
        pids = pool->worker_pids();
        BOOST_REQUIRE(pool->prepare("tenant-a", bytes_of(simple_pdf()), simple_request()));
    }
    BOOST_REQUIRE(pids.size() == 3u);
    for (pid_t pid : pids) {
        // Reaped: neither a process nor a zombie, and no longer our child.
        BOOST_TEST(::kill(pid, 0) == -1);
        BOOST_TEST(errno == ESRCH);
        BOOST_TEST(::waitpid(pid, nullptr, WNOHANG) == -1);
    }
}

// The workers are signetd's own children (CLONE_PARENT), each under two filters: the fork
// server's and its own stricter one (proc(5): Seccomp_filters).
BOOST_AUTO_TEST_CASE(workers_are_our_children_under_two_filters) {
    auto pool = start_pool(2);
    auto status_field = [](pid_t pid, const std::string& field) {
        std::ifstream status("/proc/" + std::to_string(pid) + "/status");
        for (std::string line; std::getline(status, line);) {
            if (line.starts_with(field + ":")) return line.substr(line.find_first_not_of(" \t", field.size() + 1));
        }
        return std::string();
    };
    const pid_t server = pool->fork_server_pid();
    BOOST_TEST(status_field(server, "PPid") == std::to_string(::getpid()));
    BOOST_TEST(status_field(server, "Seccomp_filters") == "1");
    auto pids = pool->worker_pids();
    BOOST_REQUIRE(pids.size() == 2u);
    for (pid_t pid : pids) {
        BOOST_TEST(status_field(pid, "PPid") == std::to_string(::getpid()));
        BOOST_TEST(status_field(pid, "Seccomp_filters") == "2");
    }
    BOOST_TEST(pool->peak_worker_rss_bytes() == 0u);
    BOOST_REQUIRE(pool->prepare("tenant-a", bytes_of(simple_pdf()), simple_request()));
    // Counted by the kernel when the worker was reaped: at least its warmed-up libraries.
    BOOST_TEST(pool->peak_worker_rss_bytes() > std::size_t{1} << 20);
}

BOOST_AUTO_TEST_CASE(a_fork_server_killed_from_outside_is_replaced) {
    WorkerLimits limits = test_limits(1);
    limits.jobs_per_worker = 1;  // every job needs a worker from the server
    auto started = WorkerPool::start(SIGNET_PDF_WORKER, limits);
    BOOST_REQUIRE_MESSAGE(started, signet::test::error_of(started));
    auto& pool = *started;
    const pid_t server = pool->fork_server_pid();
    BOOST_REQUIRE(::kill(server, SIGKILL) == 0);
    // The idle worker outlives its server; the jobs after it need a new server.
    for (int i = 0; i < 3; ++i) {
        auto result = pool->prepare("tenant-a", bytes_of(simple_pdf()), simple_request());
        BOOST_TEST_MESSAGE((result ? std::string("ok") : result.error().message));
        BOOST_TEST(result.has_value());
    }
    BOOST_TEST(pool->fork_server_pid() != server);
    BOOST_TEST(pool->restarts() == 1u);
    // The old server was reaped, not left a zombie.
    BOOST_TEST(::waitpid(server, nullptr, WNOHANG) == -1);
}

BOOST_AUTO_TEST_CASE(a_missing_worker_executable_fails_start) {
    auto pool = WorkerPool::start("/nonexistent/signet-pdf-worker", test_limits(1));
    BOOST_REQUIRE(!pool);
    BOOST_TEST(pool.error().code == Errc::unavailable);
    BOOST_TEST(pool.error().message.find("/nonexistent/signet-pdf-worker") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_default_worker_sits_next_to_the_executable) {
    auto path = default_worker_executable();
    BOOST_TEST(path.filename() == "signet-pdf-worker");
    BOOST_TEST(path.parent_path() == std::filesystem::read_symlink("/proc/self/exe").parent_path());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::pdf::test
