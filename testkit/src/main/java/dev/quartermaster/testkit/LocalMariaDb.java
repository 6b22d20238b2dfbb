package dev.quartermaster.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Debian's mariadb-server started in a private data directory on 127.0.0.1 and a unix socket. */
public final class LocalMariaDb implements AutoCloseable {
    private final ChildProcess process;
    private final Path defaultsFile;
    private final int port;

    private LocalMariaDb(ChildProcess process, Path defaultsFile, int port) {
        this.process = process;
        this.defaultsFile = defaultsFile;
        this.port = port;
    }

    public static LocalMariaDb start(Path dir) {
        Path server = Tools.require("mariadbd", "mariadb-server");
        Path install = Tools.require("mariadb-install-db", "mariadb-server");
        Tools.require("mariadb", "mariadb-client");
        try {
            Path data = dir.resolve("data");
            Files.createDirectories(data);
            Path socket = dir.resolve("mysqld.sock");
            boolean root = "root".equals(System.getProperty("user.name"));
            List<String> init =
                    new ArrayList<>(
                            List.of(
                                    install.toString(),
                                    "--no-defaults",
                                    "--datadir=" + data,
                                    "--auth-root-authentication-method=normal",
                                    "--skip-test-db"));
            if (root) {
                init.add("--user=root");
            }
            if (!Files.isDirectory(
                    data.resolve("mysql"))) { // kept from an earlier run: keep its databases
                run(init, dir.resolve("install.log"));
            }
            int port = Net.freePort();
            List<String> cmd =
                    new ArrayList<>(
                            List.of(
                                    server.toString(),
                                    "--no-defaults",
                                    "--datadir=" + data,
                                    "--socket=" + socket,
                                    "--port=" + port,
                                    "--bind-address=127.0.0.1",
                                    "--skip-log-bin",
                                    "--pid-file=" + dir.resolve("mysqld.pid"),
                                    "--innodb-buffer-pool-size=256M",
                                    "--innodb-flush-log-at-trx-commit=2",
                                    "--max-allowed-packet=256M"));
            if (root) {
                cmd.add("--user=root");
            }
            ChildProcess p =
                    ChildProcess.start(
                            "mariadbd", cmd, Map.of(), List.of(), dir.resolve("mariadbd.log"));
            try {
                Net.awaitPort(port, Duration.ofSeconds(60), p.process(), "mariadbd");
            } catch (IllegalStateException e) {
                p.close();
                throw new IllegalStateException(e.getMessage() + "\n" + p.tail(), e);
            }
            Path defaults = dir.resolve("client.cnf");
            Files.writeString(defaults, "[client]\nuser=root\nsocket=" + socket + "\n");
            return new LocalMariaDb(p, defaults, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void run(List<String> cmd, Path log) throws IOException {
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(
                        String.join(" ", cmd) + " failed:\n" + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A client option file (socket, user): the scripts' QM_DB_DEFAULTS_FILE. Holds no password. */
    public Path defaultsFile() {
        return defaultsFile;
    }

    /** Runs SQL with the mariadb client; returns its tab-separated output without headers. */
    public String sql(String database, String sql) {
        List<String> cmd =
                new ArrayList<>(
                        List.of("mariadb", "--defaults-extra-file=" + defaultsFile, "-N", "-B"));
        if (database != null) {
            cmd.add(database);
        }
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().write(sql.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("SQL failed: " + out);
            }
            return out.strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A WordPress-like schema (posts, postmeta, options, users, comments) with {@code posts} posts
     * of about {@code contentBytes} each; the first post is titled {@code firstTitle}.
     */
    public void seedWordPress(String database, String firstTitle, int posts, int contentBytes) {
        String title = firstTitle.replace("\\", "\\\\").replace("'", "''");
        int md5s = Math.max(1, contentBytes / 2 / 32);
        sql(
                null,
                "DROP DATABASE IF EXISTS `" + database + "`; CREATE DATABASE `" + database + "`;");
        sql(
                database,
                """
                CREATE TABLE wp_users (ID bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, user_login varchar(60) NOT NULL,
                  user_email varchar(100) NOT NULL, user_registered datetime NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
                CREATE TABLE wp_posts (ID bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, post_author bigint unsigned NOT NULL,
                  post_date datetime NOT NULL, post_title text NOT NULL, post_content longtext NOT NULL, post_status varchar(20) NOT NULL,
                  post_name varchar(200) NOT NULL, KEY post_name (post_name(191))) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
                CREATE TABLE wp_postmeta (meta_id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, post_id bigint unsigned NOT NULL,
                  meta_key varchar(255), meta_value longtext, KEY post_id (post_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
                CREATE TABLE wp_options (option_id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, option_name varchar(191) NOT NULL UNIQUE,
                  option_value longtext NOT NULL, autoload varchar(20) NOT NULL DEFAULT 'yes') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
                CREATE TABLE wp_comments (comment_ID bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, comment_post_ID bigint unsigned NOT NULL,
                  comment_author tinytext NOT NULL, comment_content text NOT NULL, comment_date datetime NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
                INSERT INTO wp_users (user_login, user_email, user_registered) VALUES ('admin', 'admin@example.com', NOW()), ('editor', 'ed@example.com', NOW());
                INSERT INTO wp_options (option_name, option_value) VALUES ('siteurl', 'http://localhost'), ('blogname', 'Quartermaster demo'),
                  ('db_version', '57155'), ('active_plugins', 'a:0:{}');
                """);
        sql(
                database,
                "INSERT INTO wp_posts (post_author, post_date, post_title, post_content, post_status, post_name) VALUES (1, NOW(), '"
                        + title
                        + "', 'Hello from Quartermaster.', 'publish', 'first-post');");
        if (posts > 1) {
            sql(
                    database,
                    "INSERT INTO wp_posts (post_author, post_date, post_title, post_content, post_status, post_name) "
                            + "SELECT 1 + seq % 2, NOW() - INTERVAL seq MINUTE, CONCAT('Post number ', seq), "
                            + "CONCAT(REPEAT('Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. ', "
                            + Math.max(1, contentBytes / 2 / 82)
                            + "), "
                            + distinctMd5s(md5s)
                            + "), 'publish', CONCAT('post-', seq) "
                            + "FROM seq_2_to_"
                            + posts
                            + ";");
            sql(
                    database,
                    "INSERT INTO wp_postmeta (post_id, meta_key, meta_value) SELECT ID, '_edit_lock', CONCAT(ID, ':1') FROM wp_posts;"
                            + "INSERT INTO wp_comments (comment_post_ID, comment_author, comment_content, comment_date) "
                            + "SELECT ID, 'A reader', 'Nice post!', NOW() FROM wp_posts WHERE ID % 3 = 0;");
        }
    }

    /**
     * Distinct random hex per call: post bodies that compress like real text does, not like a
     * repeated string.
     */
    private static String distinctMd5s(int n) {
        StringBuilder sb = new StringBuilder("CONCAT(");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ", ").append("MD5(RAND())");
        }
        return sb.append(")").toString();
    }

    @Override
    public void close() {
        process.close();
    }

    public int port() {
        return port;
    }
}
