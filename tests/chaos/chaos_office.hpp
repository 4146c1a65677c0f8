#pragma once
// The chaos run's installation and jobs (chaos_test.cpp): a real signetd with pkcs11-spy, a
// unique document per job, people who sign with their own keys, a seal key rotation, and the
// figures read back from the audit log, the spy and the validators.

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/support/fixture.hpp"

namespace signet::test::chaos {

struct Job {
    enum class Kind { seal_json, seal_raw, sign_json };
    int id = 0;
    Kind kind = Kind::seal_json;
    std::string key;       // its Idempotency-Key; empty for the few sent without one
    std::string document;  // the PDF, unique to the job
    std::string body;      // the request's body
    std::string person;    // a signature's signer
    int attempts = 0;
    int status = 0;            // of the answer kept; 0: never answered
    std::string output;        // the signed PDF of a 200
    std::string refusal;       // the body of another answer
    std::string first_answer;  // the body of the answer kept, to compare repeats with
};

class Office {
public:
    // An installation whose checkpoints come only at a clean stop (a kill between a checkpoint's
    // signature and its row would otherwise count as a key use without an intent), people
    // enrolled to sign, and `jobs` seals to make.
    explicit Office(int jobs);

    Job& job(int index) { return jobs_.at(static_cast<std::size_t>(index)); }
    HttpResult send(const Job& job) const;
    // The signed PDF of a 200.
    std::string document_of(const Job& job, const HttpResult& answer) const;
    // Sends an acknowledged keyed job again and compares the answer with the first.
    void replay(const Job& job);
    // A seal key rotation whose approval is interrupted by a kill `delay` after it is sent;
    // completed after the restart if it did not land. True when the new key is active.
    bool rotate_with_a_kill(std::chrono::milliseconds delay);
    // One signature per enrolled person per round (a code is good for one 30-second step), a
    // kill during one of them; rounds = jobs / 500, at least one.
    void sign_jobs(std::mt19937& random);
    int extra_kills() const { return extra_kills_; }
    nlohmann::json figures();

    Installation inst;

private:
    Job make_seal(int id) const;
    void enrol(const std::string& person);
    std::string code(const std::string& secret) const;

    TempDir work_{"signet-chaos"};
    std::vector<Job> jobs_;
    std::vector<std::pair<std::string, std::string>> persons_;  // person, TOTP secret (base32)
    std::atomic<int> replays_{0};
    std::atomic<int> replays_differing_{0};
    int extra_kills_ = 0;
    // Before the run: the spy's signatures (key requests for the enrolments included) and intents.
    int baseline_hsm_ = 0;
    int baseline_intents_ = 0;
    int rounds_ = 1;
};

}  // namespace signet::test::chaos
