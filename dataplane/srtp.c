/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTP sessions for the SBC tunnel (srtp.h). Runs on whatever thread
 * programs the tunnel (the dataplane's main lcore, the SBC emulator's main
 * thread); reads an SBC's key, writes nothing but the sessions it returns.
 */
#include <errno.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "srtp.h"

enum vr_srtp_suite
vr_srtp_suite_parse(const char *name)
{
	if (name == NULL)
		return 0;
	if (strcmp(name, "AES_CM_128_HMAC_SHA1_80") == 0)
		return VR_SRTP_AES_CM_128_HMAC_SHA1_80;
	if (strcmp(name, "AEAD_AES_128_GCM") == 0)
		return VR_SRTP_AEAD_AES_128_GCM;
	return 0;
}

const char *
vr_srtp_suite_name(enum vr_srtp_suite s)
{
	switch (s) {
	case VR_SRTP_AES_CM_128_HMAC_SHA1_80:
		return "AES_CM_128_HMAC_SHA1_80";
	case VR_SRTP_AEAD_AES_128_GCM:
		return "AEAD_AES_128_GCM";
	}
	return NULL;
}

size_t
vr_srtp_master_len(enum vr_srtp_suite s)
{
	switch (s) {
	case VR_SRTP_AES_CM_128_HMAC_SHA1_80:
		return SRTP_AES_ICM_128_KEY_LEN_WSALT;
	case VR_SRTP_AEAD_AES_128_GCM:
		return SRTP_AES_GCM_128_KEY_LEN_WSALT;
	}
	return 0;
}

size_t
vr_srtp_tag_len(enum vr_srtp_suite s)
{
	switch (s) {
	case VR_SRTP_AES_CM_128_HMAC_SHA1_80:
		return 10;
	case VR_SRTP_AEAD_AES_128_GCM:
		return 16;
	}
	return 0;
}

int
vr_srtp_init(void)
{
	static int done;

	if (done)
		return 0;
	if (srtp_init() != srtp_err_status_ok)
		return -EIO;
	done = 1;
	return 0;
}

srtp_t
vr_srtp_stream_new(const struct vr_srtp_key *k, enum vr_tun_dir dir, uint32_t channel,
	uint64_t epoch, int inbound)
{
	size_t len = vr_srtp_master_len(k->suite);
	uint8_t master[VR_SRTP_MASTER_MAX];
	srtp_policy_t pol;
	srtp_t s = NULL;

	if (len == 0) {
		errno = EINVAL;
		return NULL;
	}
	memset(&pol, 0, sizeof(pol));
	if (k->suite == VR_SRTP_AES_CM_128_HMAC_SHA1_80) {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	} else {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
	}
	memcpy(master, k->master, len);
	/* The salt follows the 16-byte AES-128 key. */
	vr_tun_salt_tweak(master + SRTP_AES_128_KEY_LEN, len - SRTP_AES_128_KEY_LEN, dir, channel,
		epoch);
	pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	pol.key = master;
	pol.window_size = 1024;
	pol.allow_repeat_tx = 0;
	if (srtp_create(&s, &pol) != srtp_err_status_ok) {
		errno = EINVAL;
		s = NULL;
	}
	memset(master, 0, sizeof(master));
	return s;
}

void
vr_srtp_stream_free(srtp_t s)
{
	if (s != NULL)
		srtp_dealloc(s);
}

uint64_t
vr_srtp_key_print(const struct vr_srtp_key *k)
{
	size_t i, len = vr_srtp_master_len(k->suite);
	uint64_t h = (0xcbf29ce484222325ull ^ k->suite) * 0x100000001b3ull;

	for (i = 0; i < len && i < VR_SRTP_MASTER_MAX; i++)
		h = (h ^ k->master[i]) * 0x100000001b3ull;
	return h != 0 ? h : 1;
}

