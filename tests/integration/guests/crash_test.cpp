// A crash between a one-time key's generation and its destruction (issue 22): signetd is
// killed with SIGKILL once the PKCS#11 spy shows the one-time key made and before it shows it
// destroyed. After the next start the token holds no one-time key: it was a session object,
// gone with the process. The interrupted key use is on record as such.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <future>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/integration/guests/guest_firm.hpp"
#include "tests/support/pdf_fixtures.hpp"

namespace {

using nlohmann::json;
using signet::test::GuestFirm;
using signet::test::read_file;
using signet::test::sha256_of;

// A sound PDF of about `bytes`: its worker and its hash take a while, which widens the window
// between the key's generation and its destruction.
std::string large_pdf(std::size_t bytes) {
    std::string filler(bytes, 'x');
    for (std::size_t i = 80; i < filler.size(); i += 81) filler[i] = '\n';
    return signet::pdf::test::simple_pdf("", "", {"<< /Length " + std::to_string(filler.size()) + " >>\nstream\n" + filler + "\nendstream"});
}

// Counts of `call` in the spy's log from `offset` on.
std::size_t calls_since(const std::filesystem::path& log, std::size_t offset, const std::string& call) {
    std::ifstream in(log, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(offset));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t count = 0;
    for (auto at = text.find(call); at != std::string::npos; at = text.find(call, at + 1)) ++count;
    return count;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_crash_between_generation_and_destruction_leaves_no_one_time_key) {
    GuestFirm f(true);
    const int keys_before = f.private_keys();
    bool caught = false;
    // The kill must land inside a window of tens of milliseconds: tried a few times, larger
    // documents widening the window.
    for (std::size_t attempt = 0; attempt < 4 && !caught; ++attempt) {
        const auto pdf = f.work / ("large-" + std::to_string(attempt) + ".pdf");
        signet::test::write_file(pdf, large_pdf((3 + attempt) * 1024 * 1024 / 2));
        const json guest = f.invited({sha256_of(pdf)});
        const std::size_t offset = std::filesystem::file_size(f.inst.spy_log);
        auto reply = std::async(std::launch::async, [&] {
            return f.inst.request("POST",
                                  "/v1/cosign?tenant=cabinet-durand&guest_id=" + guest.at("guest_id").get<std::string>() +
                                      "&code=" + guest.at("code").get<std::string>(),
                                  read_file(pdf), "platform", "application/pdf");
        });
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline && calls_since(f.inst.spy_log, offset, "C_GenerateKeyPair") == 0) {
            std::this_thread::sleep_for(std::chrono::microseconds(500));
        }
        // Generated and not yet destroyed: kill now.
        caught = calls_since(f.inst.spy_log, offset, "C_GenerateKeyPair") == 1 &&
                 calls_since(f.inst.spy_log, offset, "C_DestroyObject") == 0;
        f.inst.crash();
        caught = caught && calls_since(f.inst.spy_log, offset, "C_DestroyObject") == 0;
        const auto answered = reply.get();
        if (caught) BOOST_TEST(answered.status != 200, "a killed signetd answered " << answered.status);
        f.inst.start();
        BOOST_TEST_MESSAGE("attempt " << attempt << ": " << (caught ? "killed inside the window" : "missed the window") << ", "
                                       << calls_since(f.inst.spy_log, offset, "C_GenerateKeyPair") << " generated, "
                                       << calls_since(f.inst.spy_log, offset, "C_DestroyObject") << " destroyed, answer "
                                       << answered.status);
    }
    BOOST_REQUIRE_MESSAGE(caught, "no attempt killed signetd between the key's generation and its destruction");
    BOOST_TEST(f.private_keys() == keys_before);
    BOOST_TEST(f.objects().find("signet-guest") == std::string::npos, f.objects());
    // The guest's activation is on record; a key use begun and cut short is recorded interrupted.
    bool activated = false;
    for (const json& entry : f.inst.audit_entries()) activated = activated || entry.at("event") == "guest_activation";
    BOOST_TEST(activated);
}
