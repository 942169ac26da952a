# Sourced by the figure scripts: nginx with one worker on loopback, serving $work/www, as the
# target of fetches and as the serving reference. Its pid goes to $work/nginx.pid, which the
# scripts' exit trap kills with their other processes.
#
#     start_nginx_target "$work" 18081
start_nginx_target() {
  local work=$1 port=$2
  chmod 755 "$work"  # nginx's workers run as www-data and must read the pages
  mkdir -p "$work/www" "$work/nginx"
  # The 2 KB page of the fan-out, and a small one for runs of a million.
  head -c 2048 /dev/zero | tr '\0' 'a' | sed 's/^/<html><body>/' > "$work/www/page.html"
  echo '<html><body>small page</body></html>' > "$work/www/small.html"
  cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx; uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  keepalive_requests 100000000;
  server {
    listen 127.0.0.1:$port;
    root $work/www;
    default_type application/json;
  }
}
CONF
  nginx -c "$work/nginx/nginx.conf"
  sleep 0.3
}
