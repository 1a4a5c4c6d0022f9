/* A PKCS#11 module for faults SoftHSM2 cannot produce: a C_Initialize that hangs (a network HSM's client
 * waiting for an unreachable HSM) or crashes, a C_GetInfo that fails, and a token whose user PIN is locked or
 * on its final try. Built by test/pkcs11/faults.test.ts with the system C compiler; VKD_FAULT selects the
 * fault (hang, crash, no-info, no-slots, empty-slot, no-session), VKD_FAULT_FLAGS the token flags, and C_Login appends a line to VKD_FAULT_LOGINS so a test can prove
 * no login was attempted. More faults (test/pkcs11/more-codes.test.ts): no-function-list (C_GetFunctionList fails),
 * no-find (C_FindObjectsInit fails), no-mechs (C_GetMechanismList fails), pair-mismatch (an RSA private key and an
 * EC public key under one label), rsa-pair (an RSA pair whose modulus cannot be read), rsa-secret (a secret key
 * of type RSA); VKD_FAULT_MARK + VKD_FAULT_FLAGS_LATER: the first process to initialise creates the mark file,
 * later processes report VKD_FAULT_FLAGS_LATER as the token flags (the token changed between two probes). Layouts: PKCS#11 v2.40 pkcs11t.h / pkcs11f.h (function list order). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef unsigned long ul;
typedef struct { unsigned char major, minor; } ver;
typedef struct { ver cryptoki; unsigned char manufacturer[32]; ul flags; unsigned char description[32]; ver library; } info_t;
typedef struct { unsigned char description[64]; unsigned char manufacturer[32]; ul flags; ver hw, fw; } slot_info_t;
typedef struct {
  unsigned char label[32], manufacturer[32], model[16], serial[16];
  ul flags, maxSessions, sessions, maxRw, rw, maxPin, minPin, totalPub, freePub, totalPriv, freePriv;
  ver hw, fw; unsigned char utc[16];
} token_info_t;

static const char *fault(void) { const char *f = getenv("VKD_FAULT"); return f ? f : ""; }
static void pad(unsigned char *dst, size_t n, const char *s) { memset(dst, ' ', n); memcpy(dst, s, strlen(s) < n ? strlen(s) : n); }

static int later;
static ul c_initialize(void *args) {
  (void)args;
  const char *mark = getenv("VKD_FAULT_MARK");
  if (mark) { if (access(mark, F_OK) == 0) later = 1; else { FILE *f = fopen(mark, "w"); if (f) fclose(f); } }
  if (!strcmp(fault(), "hang")) sleep(600);
  if (!strcmp(fault(), "crash")) abort();
  return 0;
}
static ul c_finalize(void *r) { (void)r; return 0; }
static ul c_get_info(info_t *i) {
  if (!strcmp(fault(), "no-info")) return 0x30; /* CKR_DEVICE_ERROR */
  memset(i, 0, sizeof *i);
  i->cryptoki.major = 2; i->cryptoki.minor = 40;
  pad(i->manufacturer, 32, "vkd-fault"); pad(i->description, 32, "fault module");
  i->library.major = 1;
  return 0;
}
static ul c_get_slot_list(unsigned char present, ul *list, ul *count) {
  (void)present;
  if (!strcmp(fault(), "no-slots")) { *count = 0; return 0; }
  if (list) { if (*count < 1) { *count = 1; return 0x150; } list[0] = 7; }
  *count = 1;
  return 0;
}
static ul c_get_slot_info(ul slot, slot_info_t *s) {
  if (slot != 7) return 0x3; /* CKR_SLOT_ID_INVALID */
  memset(s, 0, sizeof *s); pad(s->description, 64, "fault slot"); pad(s->manufacturer, 32, "vkd-fault");
  s->flags = strcmp(fault(), "empty-slot") ? 1 : 0; /* CKF_TOKEN_PRESENT, unless the slot is empty */
  return 0;
}
static ul c_get_token_info(ul slot, token_info_t *t) {
  if (slot != 7) return 0x3;
  memset(t, 0, sizeof *t);
  pad(t->label, 32, "fault-token"); pad(t->manufacturer, 32, "vkd-fault"); pad(t->model, 16, "fault"); pad(t->serial, 16, "0001");
  const char *flags = later && getenv("VKD_FAULT_FLAGS_LATER") ? getenv("VKD_FAULT_FLAGS_LATER") : getenv("VKD_FAULT_FLAGS");
  t->flags = flags ? strtoul(flags, NULL, 0) : 0x40c; /* TOKEN_INITIALIZED | USER_PIN_INITIALIZED | LOGIN_REQUIRED */
  memset(t->utc, ' ', 16);
  return 0;
}
static ul c_get_mechanism_list(ul slot, ul *list, ul *count) { (void)slot; (void)list; *count = 0; return 0; }
static ul c_open_session(ul slot, ul flags, void *app, void *notify, ul *session) {
  (void)slot; (void)flags; (void)app; (void)notify;
  if (!strcmp(fault(), "no-session")) return 0xe0; /* CKR_TOKEN_NOT_PRESENT */
  *session = 1;
  return 0;
}
static ul c_close_session(ul s) { (void)s; return 0; }
static ul c_login(ul s, ul user, unsigned char *pin, ul len) {
  (void)s; (void)user; (void)pin; (void)len;
  const char *log = getenv("VKD_FAULT_LOGINS");
  if (log) { FILE *f = fopen(log, "a"); if (f) { fputs("login\n", f); fclose(f); } }
  const char *rv = getenv("VKD_FAULT_LOGIN_RV");
  return rv ? strtoul(rv, NULL, 0) : 0xa0; /* CKR_PIN_INCORRECT */
}
static ul not_supported(void) { return 0x54; } /* CKR_FUNCTION_NOT_SUPPORTED */

/* With VKD_FAULT_LOGIN_RV=0 the login works and the token holds one AES key (label "k", id 0x01, VKD_FAULT_KEYLEN
 * bytes, default 32); VKD_FAULT_MECHS lists the mechanisms (comma-separated, default 0x1087), VKD_FAULT_MECHINFO
 * gives "min,max,flags" (default 16,32,0x300). Encrypt appends a 16-byte tag, decrypt strips it. */
typedef struct { ul type; void *value; ul len; } attr_t;
typedef struct { ul mechanism; void *param; ul len; } mech_t;
static int found;
static ul c_get_mechanism_list2(ul slot, ul *list, ul *count) {
  (void)slot;
  if (!strcmp(fault(), "no-mechs")) return 0x30; /* CKR_DEVICE_ERROR */
  const char *m = getenv("VKD_FAULT_MECHS");
  char buf[256]; snprintf(buf, sizeof buf, "%s", m ? m : "0x1087");
  ul n = 0, vals[16];
  for (char *tok = strtok(buf, ","); tok && n < 16; tok = strtok(NULL, ",")) vals[n++] = strtoul(tok, NULL, 0);
  if (list) { if (*count < n) { *count = n; return 0x150; } for (ul i = 0; i < n; i++) list[i] = vals[i]; }
  *count = n;
  return 0;
}
static ul c_get_mechanism_info(ul slot, ul mech, ul *info) {
  (void)slot; (void)mech;
  const char *m = getenv("VKD_FAULT_MECHINFO");
  ul min = 16, max = 32, flags = 0x300;
  if (m) sscanf(m, "%lu,%lu,%li", &min, &max, (long *)&flags);
  info[0] = min; info[1] = max; info[2] = flags;
  return 0;
}
static ul put(attr_t *a, const void *v, ul n) {
  if (!a->value) { a->len = n; return 0; }
  if (a->len < n) { a->len = (ul)-1; return 0x150; }
  memcpy(a->value, v, n); a->len = n;
  return 0;
}
static ul c_get_attribute_value(ul s, ul obj, attr_t *t, ul n) {
  (void)s;
  ul rv = 0, cls = 4, type = 0x1f, bits = 2048, len = getenv("VKD_FAULT_KEYLEN") ? strtoul(getenv("VKD_FAULT_KEYLEN"), NULL, 0) : 32;
  unsigned char yes = 1, id = 1;
  int pair = !strcmp(fault(), "pair-mismatch") || !strcmp(fault(), "rsa-pair");
  if (pair) { cls = obj == 5 ? 3 : 2; type = obj == 6 && !strcmp(fault(), "pair-mismatch") ? 3 : 0; } /* CKO_PRIVATE/PUBLIC_KEY, CKK_RSA / CKK_EC */
  if (!strcmp(fault(), "rsa-secret")) type = 0; /* a CKO_SECRET_KEY of type CKK_RSA */
  for (ul i = 0; i < n; i++) {
    switch (t[i].type) {
      case 0x0: rv |= put(&t[i], &cls, sizeof cls); break;
      case 0x100: rv |= put(&t[i], &type, sizeof type); break;
      case 0x3: rv |= put(&t[i], "k", 1); break;
      case 0x102: rv |= put(&t[i], &id, 1); break;
      case 0x104: case 0x105: case 0x106: case 0x107: case 0x103: rv |= put(&t[i], &yes, 1); break;
      case 0x161: if (pair) { t[i].len = (ul)-1; rv = 0x12; } else rv |= put(&t[i], &len, sizeof len); break;
      case 0x121: if (pair) { rv |= put(&t[i], &bits, sizeof bits); break; } t[i].len = (ul)-1; rv = 0x12; break;
      default: t[i].len = (ul)-1; rv = 0x12; /* CKR_ATTRIBUTE_TYPE_INVALID */
    }
  }
  return rv;
}
static ul c_find_objects_init(ul s, attr_t *t, ul n) {
  (void)s; (void)t; (void)n;
  if (!strcmp(fault(), "no-find")) return 0x30; /* CKR_DEVICE_ERROR */
  found = 0;
  return 0;
}
static ul c_find_objects(ul s, ul *objs, ul max, ul *count) {
  (void)s;
  *count = 0;
  int two = !strcmp(fault(), "pair-mismatch") || !strcmp(fault(), "rsa-pair");
  if (!found && max > 0) { objs[0] = 5; *count = 1; found = 1; if (two && max > 1) { objs[1] = 6; *count = 2; } }
  return 0;
}
static ul c_find_objects_final(ul s) { (void)s; return 0; }
static ul c_crypt_init(ul s, mech_t *m, ul key) { (void)s; (void)m; (void)key; return 0; }
static ul c_encrypt(ul s, unsigned char *in, ul n, unsigned char *out, ul *outLen) {
  (void)s;
  if (!out) { *outLen = n + 16; return 0; }
  if (*outLen < n + 16) { *outLen = n + 16; return 0x150; }
  memcpy(out, in, n); memset(out + n, 0xab, 16); *outLen = n + 16;
  return 0;
}
static ul c_decrypt(ul s, unsigned char *in, ul n, unsigned char *out, ul *outLen) {
  (void)s;
  if (!strcmp(fault(), "bad-decrypt")) return 0x40; /* CKR_ENCRYPTED_DATA_INVALID */
  if (n < 16) return 0x40;
  if (!out) { *outLen = n - 16; return 0; }
  memcpy(out, in, n - 16); *outLen = n - 16;
  return 0;
}
static ul c_generate_random(ul s, unsigned char *out, ul n) {
  (void)s;
  if (!strcmp(fault(), "no-random")) return 0x121; /* CKR_RANDOM_NO_RNG */
  for (ul i = 0; i < n; i++) out[i] = (unsigned char)(i * 7 + 3);
  return 0;
}
static ul c_logout(ul s) { (void)s; return 0; }

static struct { ver version; void *fn[68]; } list;

ul C_GetFunctionList(void **out) {
  if (!strcmp(fault(), "no-function-list")) return 0x5; /* CKR_GENERAL_ERROR */
  list.version.major = 2; list.version.minor = 40;
  for (int i = 0; i < 68; i++) list.fn[i] = (void *)not_supported;
  list.fn[0] = (void *)c_initialize; list.fn[1] = (void *)c_finalize; list.fn[2] = (void *)c_get_info;
  list.fn[3] = (void *)C_GetFunctionList; list.fn[4] = (void *)c_get_slot_list; list.fn[5] = (void *)c_get_slot_info;
  list.fn[6] = (void *)c_get_token_info; list.fn[7] = (void *)c_get_mechanism_list;
  list.fn[12] = (void *)c_open_session; list.fn[13] = (void *)c_close_session; list.fn[18] = (void *)c_login;
  if (getenv("VKD_FAULT_LOGIN_RV") && strtoul(getenv("VKD_FAULT_LOGIN_RV"), NULL, 0) == 0) {
    list.fn[7] = (void *)c_get_mechanism_list2; list.fn[8] = (void *)c_get_mechanism_info; list.fn[19] = (void *)c_logout;
    list.fn[24] = (void *)c_get_attribute_value; list.fn[26] = (void *)c_find_objects_init; list.fn[27] = (void *)c_find_objects;
    list.fn[28] = (void *)c_find_objects_final; list.fn[29] = (void *)c_crypt_init; list.fn[30] = (void *)c_encrypt;
    list.fn[33] = (void *)c_crypt_init; list.fn[34] = (void *)c_decrypt; list.fn[64] = (void *)c_generate_random;
  }
  *out = &list;
  return 0;
}
