# The hallq system user and its store (shared by both packages' postinst).
if ! getent passwd hallq >/dev/null; then
  adduser --system --group --home @HALLQ_STATEDIR@ --no-create-home --gecos "hallq queue calling" hallq
fi
if [ ! -d @HALLQ_STATEDIR@ ] || [ "$(stat -c %U @HALLQ_STATEDIR@)" != hallq ]; then
  install -d -o hallq -g hallq -m 0750 @HALLQ_STATEDIR@
fi
install -d -o hallq -g hallq -m 0700 @HALLQ_SYSCONFDIR@/keys
