# Sourced by the benchmarks that load nginx (peers.sh, nginx_cost.sh).
# nginx_1k DIR PORT: writes DIR/nginx.conf for one worker serving DIR/www
# (a 1 KiB file at /1k) on 127.0.0.1:PORT, keep-alive without a limit, no
# access log; start it with: nginx -p DIR -c DIR/nginx.conf
nginx_1k() {
    local dir=$1 port=$2
    mkdir -p "$dir/www" "$dir/logs"
    head -c 1024 /dev/zero >"$dir/www/1k"
    cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
daemon off;
worker_rlimit_nofile 8192;
events { worker_connections 4096; }
http {
    access_log off;
    default_type application/octet-stream;
    keepalive_requests 100000000;
    server { listen 127.0.0.1:$port; root $dir/www; }
}
CONF
}
