/*
 * phone.cc - the libphonenumber shim (see phone.h): the one C++ file of
 * the portal layer. PhoneNumberUtil is libphonenumber's process-wide
 * singleton (its numbering plans are read once, on first use); a worker
 * handles one request at a time, so nothing here needs a lock. Nothing
 * thrown crosses into C: every entry point catches all, out of memory
 * answering ERR_NOMEM as everywhere else.
 */
#include "config.h"

#include <cstring>
#include <exception>
#include <new>
#include <string>

#include <phonenumbers/phonenumberutil.h>

extern "C" {
#include "log.h"
}
#include "phone.h"

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

const char *const type_names[PHONE_TYPE__MAX] = {
	"fixed_line", "mobile", "fixed_line_or_mobile", "toll_free",
	"premium_rate", "shared_cost", "voip", "personal_number", "pager",
	"uan", "voicemail", "unknown",
};

/* libphonenumber's type as ours, case by case (not by value: its enum
 * is not ours to rely on). */
enum phone_type
type_of(PhoneNumberUtil::PhoneNumberType t)
{
	switch (t) {
	case PhoneNumberUtil::FIXED_LINE:
		return PHONE_FIXED_LINE;
	case PhoneNumberUtil::MOBILE:
		return PHONE_MOBILE;
	case PhoneNumberUtil::FIXED_LINE_OR_MOBILE:
		return PHONE_FIXED_LINE_OR_MOBILE;
	case PhoneNumberUtil::TOLL_FREE:
		return PHONE_TOLL_FREE;
	case PhoneNumberUtil::PREMIUM_RATE:
		return PHONE_PREMIUM_RATE;
	case PhoneNumberUtil::SHARED_COST:
		return PHONE_SHARED_COST;
	case PhoneNumberUtil::VOIP:
		return PHONE_VOIP;
	case PhoneNumberUtil::PERSONAL_NUMBER:
		return PHONE_PERSONAL_NUMBER;
	case PhoneNumberUtil::PAGER:
		return PHONE_PAGER;
	case PhoneNumberUtil::UAN:
		return PHONE_UAN;
	case PhoneNumberUtil::VOICEMAIL:
		return PHONE_VOICEMAIL;
	case PhoneNumberUtil::UNKNOWN:
		break;
	}
	return PHONE_UNKNOWN;
}

/* The region national forms are read by: country upper-cased when it is
 * two ASCII letters, else "ZZ", libphonenumber's "no region" (only
 * "+..." is read then). An unknown pair of letters reads nothing
 * national either. */
void
region_of(const char *country, char region[3])
{
	std::strcpy(region, "ZZ");
	if (country == NULL)
		return;
	for (int i = 0; i < 2; i++) {
		char c = country[i];

		if (c >= 'a' && c <= 'z')
			c = static_cast<char>(c - 'a' + 'A');
		if (c < 'A' || c > 'Z')
			return;
		region[i] = c;
	}
	if (country[2] != '\0')
		std::strcpy(region, "ZZ");
}

/* True when text reads, in region, as a valid number without an
 * extension (E.164 has no room for one). */
bool
read_valid(const PhoneNumberUtil &util, const std::string &text,
    const char *region, PhoneNumber *number)
{
	number->Clear();
	if (util.Parse(text, region, number) !=
	    PhoneNumberUtil::NO_PARSING_ERROR)
		return false;
	return !number->has_extension() && util.IsValidNumber(*number);
}

/* Runs body, which calls libphonenumber, so that nothing it throws
 * crosses into C: out of memory is ERR_NOMEM, anything else is logged
 * and answered failed. */
template <typename Body>
enum err
guarded(enum err failed, Body body)
{
	try {
		return body();
	} catch (const std::bad_alloc &) {
		return ERR_NOMEM;
	} catch (const std::exception &e) {
		log_error("libphonenumber failed: %s", e.what());
		return failed;
	} catch (...) {
		log_error("libphonenumber failed");
		return failed;
	}
}

} /* namespace */

extern "C" enum err
phone_init(void)
{
	try {
		return PhoneNumberUtil::GetInstance() != NULL ? ERR_OK : ERR_NOMEM;
	} catch (const std::bad_alloc &) {
		return ERR_NOMEM;
	} catch (...) {
		log_error("libphonenumber failed to start");
		return ERR_NOMEM;
	}
}

extern "C" enum err
phone_parse(const char *text, const char *country, char *out,
    enum phone_type *type)
{
	return guarded(ERR_INVALID, [&]() -> enum err {
		const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
		PhoneNumber number;
		std::string e164;
		const char *p;
		char region[3];

		/* Bounded before libphonenumber sees it: its regular
		 * expressions need not meet a long text. */
		if (util == NULL || text == NULL ||
		    strnlen(text, PHONE_TEXT_MAX + 1) > PHONE_TEXT_MAX)
			return ERR_INVALID;
		region_of(country, region);
		if (!read_valid(*util, text, region, &number)) {
			/* "00" is the international prefix of most of the
			 * world, and was read so before: without a country,
			 * or when the country's plan does not make a number
			 * of it, read it as "+". */
			for (p = text; *p == ' '; p++)
				;
			if (p[0] != '0' || p[1] != '0' ||
			    !read_valid(*util, std::string("+") + (p + 2), "ZZ",
			    &number))
				return ERR_INVALID;
		}
		util->Format(number, PhoneNumberUtil::E164, &e164);
		if (e164.size() < 2 || e164.size() > PHONE_E164_MAX ||
		    e164[0] != '+')
			return ERR_INVALID;
		std::memcpy(out, e164.c_str(), e164.size() + 1);
		if (type != NULL)
			*type = type_of(util->GetNumberType(number));
		return ERR_OK;
	});
}

extern "C" enum err
phone_example(const char *country, char *national, char *international)
{
	return guarded(ERR_NOT_FOUND, [&]() -> enum err {
		const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
		PhoneNumber number;
		std::string in_country, in_world;
		char region[3];

		region_of(country, region);
		if (util == NULL || std::strcmp(region, "ZZ") == 0 ||
		    !util->GetExampleNumberForType(region,
		    PhoneNumberUtil::MOBILE, &number))
			return ERR_NOT_FOUND;
		util->Format(number, PhoneNumberUtil::NATIONAL, &in_country);
		util->Format(number, PhoneNumberUtil::INTERNATIONAL, &in_world);
		if (in_country.size() > PHONE_TEXT_MAX ||
		    in_world.size() > PHONE_TEXT_MAX)
			return ERR_NOT_FOUND;
		std::memcpy(national, in_country.c_str(), in_country.size() + 1);
		std::memcpy(international, in_world.c_str(),
		    in_world.size() + 1);
		return ERR_OK;
	});
}

extern "C" enum err
phone_region(const char *e164, char region[3])
{
	return guarded(ERR_NOT_FOUND, [&]() -> enum err {
		const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
		PhoneNumber number;
		std::string code;

		if (util == NULL || e164 == NULL ||
		    strnlen(e164, PHONE_TEXT_MAX + 1) > PHONE_TEXT_MAX ||
		    !read_valid(*util, e164, "ZZ", &number))
			return ERR_NOT_FOUND;
		util->GetRegionCodeForNumber(number, &code);
		if (code.size() != 2 || code == "ZZ")
			return ERR_NOT_FOUND;
		std::memcpy(region, code.c_str(), 3);
		return ERR_OK;
	});
}

extern "C" const char *
phone_type_name(enum phone_type type)
{
	return static_cast<unsigned>(type) < PHONE_TYPE__MAX ?
	    type_names[type] : "unknown";
}
