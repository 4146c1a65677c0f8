#include "tests/integration/support/fixture.hpp"

#include <signal.h>

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "config/config.hpp"
#include "store/database.hpp"
#include "tests/support/store/postgres_cluster.hpp"

namespace signet::test {

nlohmann::json HttpResult::json() const {
    auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_discarded()) throw std::runtime_error("response is not JSON: " + body.substr(0, 200));
    return parsed;
}

namespace {

PostgresCluster& postgres_cluster() {
    static PostgresCluster cluster;
    return cluster;
}

config::Store new_database() {
    static std::atomic<int> databases = 0;
    return postgres_cluster().create_database("store_" + std::to_string(++databases));
}

// `config` with `extra` appended, where a [section] of `extra` replaces the same section of
// `config` (TOML forbids a table twice): "[timestamp]\nsource = \"external\"..." swaps the source.
std::string with_sections(std::string config, const std::string& extra) {
    std::istringstream lines(extra);
    for (std::string line; std::getline(lines, line);) {
        if (line.size() < 3 || line.front() != '[' || line[1] == '[' || line.back() != ']') continue;
        auto begin = config.find("\n" + line + "\n");
        if (begin == std::string::npos) continue;
        auto end = config.find("\n[", begin + 1);
        config.erase(begin + 1, end == std::string::npos ? std::string::npos : end - begin);
    }
    return config + "\n" + extra;
}

}  // namespace

Installation::Installation(bool spy_on_hsm, const std::string& extra_config, std::size_t body_limit,
                           std::size_t raw_document_limit, const std::vector<std::string>& dev_init_args) {
    port = free_port();
    install = dir / "install";
    std::vector<std::string> init_argv{SIGNETCTL_PATH, "dev-init", install.string(), "--port", std::to_string(port)};
    if (on_postgresql()) {
        const auto store = new_database();
        init_argv.insert(init_argv.end(),
                         {"--store-url", store.url, "--store-password-file", store.password_file.string()});
    }
    init_argv.insert(init_argv.end(), dev_init_args.begin(), dev_init_args.end());
    auto init = run(init_argv);
    if (init.exit_code != 0) throw std::runtime_error("dev-init failed: " + init.output);

    // A small body limit so that the 413 test does not need a huge upload.
    std::string config = read_file(install / "signetd.toml");
    auto at = config.find("max_body_bytes = 92274688");
    if (at == std::string::npos) throw std::runtime_error("dev-init config has no body limit");
    config.replace(at, 25, "max_body_bytes = " + std::to_string(body_limit));
    at = config.find("max_raw_document_bytes = 67108864");
    if (at == std::string::npos) throw std::runtime_error("dev-init config has no raw document limit");
    config.replace(at, 33, "max_raw_document_bytes = " + std::to_string(raw_document_limit));
    config = with_sections(config, extra_config);
    std::vector<std::string> argv{SIGNETD_PATH, "--config", (install / "signetd.toml").string()};
    if (spy_on_hsm) {
        const std::string softhsm = SIGNET_SOFTHSM_MODULE;
        config.replace(config.find(softhsm), softhsm.size(), PKCS11_SPY_MODULE);
        spy_log = dir / "pkcs11-spy.log";
        argv.insert(argv.begin(), {"env", "PKCS11SPY=" + softhsm, "PKCS11SPY_OUTPUT=" + spy_log.string()});
    }
    write_file(install / "signetd.toml", config);

    nss_db = dir / "nss";
    std::filesystem::create_directories(nss_db);
    auto made = run({"certutil", "-N", "-d", "sql:" + nss_db.string(), "--empty-password"});
    auto trusted = run({"certutil", "-A", "-d", "sql:" + nss_db.string(), "-n", "signet-dev-ca",
                        "-t", "CT,C,C", "-i", (install / "pki" / "signing-ca.pem").string()});
    if (made.exit_code != 0 || trusted.exit_code != 0) {
        throw std::runtime_error("cannot make the NSS database: " + made.output + trusted.output);
    }

    argv_ = argv;
    start();

    // The tenant most seal tests use; its EC holds every right (rights_test.cpp covers the rest).
    put("/v1/tenants/cabinet-durand", R"({"kind": "cabinet", "name": "Cabinet Durand & Associés"})");
    put("/v1/tenants/cabinet-durand/members/marie.durand", R"({"role": "ec", "name": "Marie Durand"})");
}

void Installation::restart() {
    if (signetd->stop() != 0) throw std::runtime_error("signetd did not stop cleanly: " + read_file(dir / "signetd.log"));
    signetd.reset();
    start();
}

void Installation::crash() {
    ::kill(signetd->pid(), SIGKILL);
    signetd->stop();  // reaps it
    signetd.reset();
}

void Installation::start() {
    signetd = std::make_unique<BackgroundProcess>(argv_, dir / "signetd.log");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!healthy()) {
        if (!signetd->running()) {
            throw std::runtime_error("signetd exited: " + read_file(dir / "signetd.log"));
        }
        if (std::chrono::steady_clock::now() > deadline) {
            throw std::runtime_error("signetd did not become healthy: " + read_file(dir / "signetd.log"));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

std::vector<nlohmann::json> Installation::audit_entries() const {
    auto exported = request("GET", "/v1/audit/export", "", "auditor");
    if (exported.status != 200) throw std::runtime_error("the audit export failed: " + exported.body);
    std::vector<nlohmann::json> out;
    std::istringstream lines(exported.body);
    for (std::string line; std::getline(lines, line);) {
        nlohmann::json entry = nlohmann::json::parse(line);
        if (entry.value("type", "") == "entry") out.push_back(std::move(entry));
    }
    return out;
}

store::Database Installation::open_store() const {
    auto config = config::load(install / "signetd.toml");
    if (!config) throw std::runtime_error("cannot read the configuration: " + config.error().message);
    auto db = store::Database::open(config->store);
    if (!db) throw std::runtime_error("cannot open the store: " + db.error().message);
    return std::move(*db);
}

int Installation::hsm_signatures() const {
    if (spy_log.empty()) throw std::logic_error("this installation has no PKCS#11 spy");
    std::istringstream log(read_file(spy_log));
    int count = 0;
    for (std::string line; std::getline(log, line);) {
        auto colon = line.find(": ");
        if (colon != std::string::npos && line.compare(colon, std::string::npos, ": C_SignInit") == 0) ++count;
    }
    // Each audit checkpoint is one signature by the audit key; the rest signed documents.
    auto db = open_store();
    auto checkpoints = db.prepare("SELECT COUNT(*) FROM audit_checkpoints");
    if (!checkpoints || !checkpoints->step()) throw std::runtime_error("cannot count the checkpoints");
    return count - static_cast<int>(checkpoints->column_int(0));
}

void Installation::age_delegations(const std::string& grantee, const std::string& expires) const {
    auto db = open_store();
    auto update = db.prepare("UPDATE delegations SET expires = ? WHERE grantee = ?");
    if (!update || !update->bind(1, expires).bind(2, grantee).run()) {
        throw std::runtime_error("cannot age " + grantee + "'s delegations");
    }
}

std::string new_store_table(const std::filesystem::path& folder) {
    if (!on_postgresql()) return "[store]\npath = \"" + (folder / "signet.db").string() + "\"\n\n";
    const auto store = new_database();
    return "[store]\nbackend = \"postgresql\"\nurl = \"" + store.url + "\"\npassword_file = \"" +
           store.password_file.string() + "\"\n\n";
}

bool on_postgresql() {
    const char* store = std::getenv("SIGNET_TEST_STORE");
    return store != nullptr && std::string_view(store) == "postgresql";
}

std::string in_days(int days) {
    std::chrono::year_month_day date{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) +
                                     std::chrono::days(days)};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    return text;
}

std::string seal_body(const std::string& document_bytes, const std::string& extra) {
    auto encoded = run({"base64", "-w0"}, document_bytes);
    if (encoded.exit_code != 0) throw std::runtime_error("base64 failed");
    return R"({"tenant": "cabinet-durand", "actor": "marie.durand", "document": ")" + encoded.output + "\"" + extra +
           "}";
}

HttpResult raw_seal(const std::string& document_bytes, const std::string& query) {
    return installation().request("POST", "/v1/seal?tenant=cabinet-durand&actor=marie.durand" + query, document_bytes,
                                  "platform", "application/pdf");
}

void Installation::put(const std::string& path, const std::string& body) const {
    auto result = request("PUT", path, body);
    if (result.status != 200) {
        throw std::runtime_error("PUT " + path + " answered " + std::to_string(result.status) + ": " + result.body);
    }
}

Installation::~Installation() {
    if (signetd) signetd->stop();
}

bool Installation::healthy() const {
    auto result = request("GET", "/v1/health", "", "auditor");
    return result.curl_exit == 0 && result.status == 200;
}

HttpResult Installation::request(const std::string& method, const std::string& path,
                                 const std::string& body, const std::string& client,
                                 const std::string& content_type,
                                 const std::vector<std::string>& extra_curl_args) const {
    static std::atomic<int> counter = 0;  // requests may come from several test threads
    const int n = ++counter;  // read once: another thread may be incrementing it
    auto body_file = dir / ("request-" + std::to_string(n));
    auto response_file = dir / ("response-" + std::to_string(n));
    auto headers_file = dir / ("headers-" + std::to_string(n));
    write_file(body_file, body);
    std::vector<std::string> argv = {"curl", "--silent", "--show-error", "--max-time", "120",
                                     "--cacert", (install / "pki" / "tls-ca.pem").string(),
                                     "-X", method, "-o", response_file.string(), "-D", headers_file.string(),
                                     "-w", "%{http_code}"};
    if (!client.empty()) {
        argv.insert(argv.end(), {"--cert", (install / "pki" / (client + ".pem")).string(), "--key",
                                 (install / "pki" / (client + ".key")).string()});
    }
    if (method != "GET") {
        argv.insert(argv.end(), {"-H", "Content-Type: " + content_type, "--data-binary",
                                 "@" + body_file.string()});
    }
    argv.insert(argv.end(), extra_curl_args.begin(), extra_curl_args.end());
    argv.push_back("https://127.0.0.1:" + std::to_string(port) + path);
    auto ran = run(argv);
    HttpResult result;
    result.curl_exit = ran.exit_code;
    // -w prints the status last; curl's error messages (if any) come before it.
    std::string code = ran.output.size() >= 3 ? ran.output.substr(ran.output.size() - 3) : "";
    result.status = code.find_first_not_of("0123456789") == std::string::npos && !code.empty()
                        ? std::stoi(code)
                        : 0;
    result.curl_output = ran.output;
    std::error_code ec;
    if (std::filesystem::exists(response_file, ec)) result.body = read_file(response_file);
    if (std::filesystem::exists(headers_file, ec)) {
        // One block per response, an interim "100 Continue" first: the last block is the answer.
        std::istringstream lines(read_file(headers_file));
        for (std::string line; std::getline(lines, line);) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.rfind("HTTP/", 0) == 0) result.headers.clear();
            auto colon = line.find(':');
            if (colon == std::string::npos) continue;
            std::string name = line.substr(0, colon);
            for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            std::string value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            result.headers[name] = value;
        }
    }
    std::filesystem::remove(body_file, ec);
    std::filesystem::remove(response_file, ec);
    std::filesystem::remove(headers_file, ec);
    return result;
}

Installation& installation() {
    static Installation shared;
    return shared;
}

}  // namespace signet::test
