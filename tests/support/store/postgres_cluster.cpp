#include "tests/support/store/postgres_cluster.hpp"

#include <pwd.h>
#include <unistd.h>

#include <stdexcept>

#include <openssl/rand.h>

namespace signet::test {
namespace {

const std::filesystem::path bin = "/usr/lib/postgresql/15/bin";

void require(const RunResult& result, std::string_view what) {
    if (result.exit_code != 0) throw std::runtime_error(std::string(what) + " failed:\n" + result.output);
}

std::string random_password() {
    unsigned char bytes[18];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::string out;
    for (unsigned char b : bytes) out += alphabet[b % 62];
    return out;
}

}  // namespace

PostgresCluster::PostgresCluster(bool durable) {
    data_ = dir_ / "data";
    password_file_ = dir_ / "password";
    const std::string password = random_password();
    write_file(password_file_, password + "\n");
    write_file(dir_ / "pgpass", "127.0.0.1:*:*:signet:" + password + "\n");
    std::filesystem::permissions(password_file_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    std::filesystem::permissions(dir_ / "pgpass", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    if (geteuid() == 0) {
        // The folder and what the server reads become the server user's; root still reads all.
        const passwd* user = getpwnam("postgres");
        if (user == nullptr) throw std::runtime_error("no postgres user: is postgresql-15 installed?");
        for (const auto& path : {dir_.path(), password_file_}) {
            if (chown(path.c_str(), user->pw_uid, user->pw_gid) != 0) throw std::runtime_error("chown " + path.string());
        }
    }
    require(as_server_user({bin / "initdb", "-D", data_.string(), "-U", "signet", "--auth-local=scram-sha-256",
                            "--auth-host=scram-sha-256", "--pwfile=" + password_file_.string(), "-E", "UTF8",
                            "--locale=C.UTF-8", "--no-sync"}),
            "initdb");
    port_ = free_port();
    std::string options = "-p " + std::to_string(port_) + " -k " + dir_.path().string() +
                          " -c listen_addresses=127.0.0.1 -c max_connections=200";
    if (!durable) options += " -c fsync=off -c full_page_writes=off -c synchronous_commit=off";
    require(as_server_user({bin / "pg_ctl", "-D", data_.string(), "-l", (dir_ / "server.log").string(), "-w", "-o",
                            options, "start"}),
            "pg_ctl start");
}

PostgresCluster::~PostgresCluster() {
    (void)as_server_user({bin / "pg_ctl", "-D", data_.string(), "-m", "immediate", "-w", "stop"});
}

RunResult PostgresCluster::as_server_user(std::vector<std::string> argv) const {
    if (geteuid() == 0) {
        argv.insert(argv.begin(), {"setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"});
    }
    return run(argv);
}

config::Store PostgresCluster::create_database(std::string_view name) {
    require(psql("postgres", "CREATE DATABASE " + std::string(name)), "CREATE DATABASE");
    config::Store store;
    store.backend = config::Store::Backend::postgresql;
    store.url = "postgresql://signet@127.0.0.1:" + std::to_string(port_) + "/" + std::string(name);
    store.password_file = password_file_;
    return store;
}

RunResult PostgresCluster::psql(std::string_view database, std::string_view sql) const {
    return run({"psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", std::to_string(port_),
                "-U", "signet", "-d", std::string(database), "-c", std::string(sql)},
               {}, {"PGPASSFILE=" + (dir_ / "pgpass").string()});
}

}  // namespace signet::test
