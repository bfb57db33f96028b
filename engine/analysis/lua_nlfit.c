/* lua_nlfit.c - an.fit: nonlinear least squares of a model written in Lua.
 *
 * The GSL callbacks (through nlls.c) never run Lua code unprotected: each
 * evaluation is one lua_pcall of a C function that builds the parameter
 * table, calls the model and reads its values, so that any Lua error (in
 * the model, or a wrong return value) is caught, stored, and turned into a
 * failure code for GSL.  Once GSL has returned, the stored message is
 * raised as a Lua error; it carries the model's file:line.
 */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "lua_internal.h"
#include "nlls.h"
#include "series_ops.h"

/* Indices of the argument table's pieces on the Lua stack of an.fit. */
typedef struct fit_ctx {
    lua_State *L;
    int i_model, i_jac; /* stack slots of model and Jacobian (0: none) */
    int vectorised;     /* model(p, x) -> n values, else model(p, x_i) */
    int i_x;            /* stack slot of x (the user's value) */
    size_t n, p;
    const double *xs;   /* pointwise: predictor values (n) */
    const double *y, *w; /* data, weights sqrt(1/sigma^2) or NULL */
    const double *par;  /* during an evaluation: parameters */
    double *out;        /* during an evaluation: residuals or Jacobian */
    int want_jac;
    int i_err;          /* stack slot holding the error message */
} fit_ctx;

/* Pushes the parameter vector as a Lua array. */
static void push_params(lua_State *L, const fit_ctx *c)
{
    lua_createtable(L, (int)c->p, 0);
    for (size_t j = 0; j < c->p; j++) {
        lua_pushnumber(L, c->par[j]);
        lua_rawseti(L, -2, (lua_Integer)j + 1);
    }
}

/* Reads the number on top as value k of `what`; pops it.  Only a number
 * will do: a numeric string is refused, as a slip rather than a value. */
static double pop_number(lua_State *L, const char *what, size_t k)
{
    if (lua_type(L, -1) != LUA_TNUMBER)
        luaL_error(L, "fit: %s returned %s for point %I, expected a number",
                   what, luaL_typename(L, -1), (lua_Integer)k + 1);
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return v;
}

/* Calls the function and 2 arguments above `base` and checks that it
 * returned exactly one value (left on top).  k: the point (pointwise
 * calls), or SIZE_MAX for a vectorised call. */
static void call_one(lua_State *L, int base, const char *what, size_t k)
{
    lua_call(L, 2, LUA_MULTRET);
    int nret = lua_gettop(L) - base;
    if (nret == 1)
        return;
    if (k == SIZE_MAX)
        luaL_error(L, "fit: %s returned %d values, expected 1 (an array)", what,
                   nret);
    luaL_error(L, "fit: %s returned %d values for point %I, expected 1", what,
               nret, (lua_Integer)k + 1);
}

/* Reads p derivatives from the table on top into row; pops it. */
static void pop_row(lua_State *L, const fit_ctx *c, size_t i, double *row)
{
    if (!lua_istable(L, -1))
        luaL_error(L, "fit: jacobian returned %s for point %I, expected an "
                      "array of %I derivatives", luaL_typename(L, -1),
                   (lua_Integer)i + 1, (lua_Integer)c->p);
    lua_Integer len = luaL_len(L, -1);
    if (len != (lua_Integer)c->p)
        luaL_error(L, "fit: jacobian returned %I derivatives for point %I, "
                      "expected %I", len, (lua_Integer)i + 1, (lua_Integer)c->p);
    for (size_t j = 0; j < c->p; j++) {
        lua_rawgeti(L, -1, (lua_Integer)j + 1);
        row[j] = pop_number(L, "jacobian", i);
    }
    lua_pop(L, 1);
}

/* Runs under lua_pcall: one evaluation of residuals or Jacobian.
 * Arguments: the context, the function to call, x. */
static int eval_protected(lua_State *L)
{
    fit_ctx *c = lua_touserdata(L, 1);
    const int fn = 2, i_x = 3;
    const char *what = c->want_jac ? "jacobian" : "model";
    luaL_checkstack(L, 8, "fit");
    push_params(L, c);
    int ip = lua_gettop(L);
    if (c->vectorised) {
        lua_pushvalue(L, fn);
        lua_pushvalue(L, ip);
        lua_pushvalue(L, i_x);
        call_one(L, ip, what, SIZE_MAX);
        if (!lua_istable(L, -1))
            return luaL_error(L, "fit: %s returned %s, expected an array of "
                                 "%I values", what, luaL_typename(L, -1),
                              (lua_Integer)c->n);
        lua_Integer len = luaL_len(L, -1);
        if (len != (lua_Integer)c->n)
            return luaL_error(L, "fit: %s returned %I values, expected %I",
                              what, len, (lua_Integer)c->n);
        for (size_t i = 0; i < c->n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i + 1);
            if (c->want_jac)
                pop_row(L, c, i, c->out + i * c->p);
            else
                c->out[i] = pop_number(L, what, i);
        }
    } else {
        for (size_t i = 0; i < c->n; i++) {
            lua_pushvalue(L, fn);
            lua_pushvalue(L, ip);
            lua_pushnumber(L, c->xs[i]);
            call_one(L, ip, what, i);
            if (c->want_jac)
                pop_row(L, c, i, c->out + i * c->p);
            else
                c->out[i] = pop_number(L, what, i);
        }
    }
    /* Residuals weighted: w_i (f_i - y_i); Jacobian rows scaled by w_i. */
    for (size_t i = 0; i < c->n; i++) {
        double wi = c->w ? c->w[i] : 1;
        if (c->want_jac)
            for (size_t j = 0; j < c->p; j++)
                c->out[i * c->p + j] *= wi;
        else
            c->out[i] = wi * (c->out[i] - c->y[i]);
    }
    return 0;
}

/* Calls eval_protected; on error keeps the message in slot i_err. */
static int call_lua(fit_ctx *c, const double *x, double *out, int jac)
{
    lua_State *L = c->L;
    if (!lua_checkstack(L, 6))
        return 1;
    c->par = x;
    c->out = out;
    c->want_jac = jac;
    lua_pushcfunction(L, eval_protected);
    lua_pushlightuserdata(L, c);
    lua_pushvalue(L, jac ? c->i_jac : c->i_model);
    lua_pushvalue(L, c->i_x);
    if (lua_pcall(L, 3, 0, 0) != LUA_OK) {
        lua_replace(L, c->i_err);
        return 1;
    }
    return 0;
}

static int cb_f(const double *x, double *r, void *user)
{
    return call_lua(user, x, r, 0);
}

static int cb_df(const double *x, double *J, void *user)
{
    return call_lua(user, x, J, 1);
}

/* Reads per-parameter option `key` (an array by position, or a table by
 * parameter name) into v[0..p-1]; absent entries keep their value. */
static void read_param_opt(lua_State *L, int opts, int names, const char *key,
                           size_t p, double *v, unsigned char *flag)
{
    int t = lua_getfield(L, opts, key);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (t != LUA_TTABLE)
        luaL_error(L, "fit: option '%s' must be a table", key);
    int tab = lua_gettop(L);
    for (size_t j = 0; j < p; j++) {
        int vt = lua_geti(L, tab, (lua_Integer)j + 1);
        if (vt == LUA_TNIL && names) {
            lua_pop(L, 1);
            lua_geti(L, names, (lua_Integer)j + 1);
            vt = lua_isstring(L, -1) ? lua_gettable(L, tab) : LUA_TNIL;
        }
        if (vt != LUA_TNIL) {
            if (flag) {
                flag[j] = (unsigned char)lua_toboolean(L, -1);
            } else {
                int isnum;
                v[j] = lua_tonumberx(L, -1, &isnum);
                if (!isnum || isnan(v[j]))
                    luaL_error(L, "fit: %s[%I] must be a number", key,
                               (lua_Integer)j + 1);
            }
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* Option method = "both" (default) | "lm" | "lmaccel". */
static int check_method(lua_State *L)
{
    const char *m = rr_lua_opt_string(L, 1, "method", "both");
    if (strcmp(m, "both") == 0)
        return RR_NLLS_BOTH;
    if (strcmp(m, "lm") == 0)
        return RR_NLLS_LM;
    if (strcmp(m, "lmaccel") == 0)
        return RR_NLLS_LMACCEL;
    return luaL_error(L, "fit: method must be \"both\", \"lm\" or \"lmaccel\", "
                         "not \"%s\"", m);
}

/* Pushes a p x p matrix as an array of rows. */
static void push_matrix(lua_State *L, const double *m, size_t p)
{
    lua_createtable(L, (int)p, 0);
    for (size_t a = 0; a < p; a++) {
        rr_lua_push_array(L, m + a * p, p);
        lua_rawseti(L, -2, (lua_Integer)a + 1);
    }
}

static int an_fit(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    fit_ctx c = {.L = L};
    lua_pushnil(L); /* slot 2: error message */
    c.i_err = 2;
    /* Model: pointwise "model" or vectorised "model_vec". */
    lua_getfield(L, 1, "model");
    lua_getfield(L, 1, "model_vec");
    int has_pt = !lua_isnil(L, 3), has_vec = !lua_isnil(L, 4);
    luaL_argcheck(L, has_pt != has_vec, 1,
                  "give exactly one of 'model' and 'model_vec'");
    c.vectorised = has_vec;
    c.i_model = has_vec ? 4 : 3;
    luaL_argcheck(L, lua_isfunction(L, c.i_model), 1, "the model must be a function");
    lua_getfield(L, 1, c.vectorised ? "jacobian_vec" : "jacobian"); /* 5 */
    if (!lua_isnil(L, 5)) {
        luaL_argcheck(L, lua_isfunction(L, 5), 1, "the jacobian must be a function");
        c.i_jac = 5;
    }
    lua_getfield(L, 1, c.vectorised ? "jacobian" : "jacobian_vec");
    luaL_argcheck(L, lua_isnil(L, -1), 1,
                  c.vectorised ? "model_vec goes with jacobian_vec"
                               : "model goes with jacobian (pointwise)");
    lua_pop(L, 1);
    /* Data. */
    lua_getfield(L, 1, "y"); /* 6 */
    luaL_argcheck(L, lua_istable(L, 6), 1, "field y (array of data) missing");
    c.y = rr_lua_check_array(L, 6, "y", &c.n, 0); /* 7 */
    lua_getfield(L, 1, "x"); /* 8 */
    c.i_x = 8;
    if (!c.vectorised) {
        size_t nx;
        luaL_argcheck(L, lua_istable(L, 8), 1, "field x (array of predictor values) missing");
        c.xs = rr_lua_check_array(L, 8, "x", &nx, 0); /* 9 */
        if (nx != c.n)
            return luaL_error(L, "fit: x has %I values, y %I", (lua_Integer)nx,
                              (lua_Integer)c.n);
    } else {
        lua_pushnil(L); /* 9 */
    }
    lua_getfield(L, 1, "sigma"); /* 10 */
    lua_getfield(L, 1, "weights"); /* 11 */
    luaL_argcheck(L, lua_isnil(L, 10) || lua_isnil(L, 11), 1,
                  "give sigma or weights, not both");
    double *w = NULL;
    size_t n_zero = 0; /* weights of 0: these points do not count */
    if (!lua_isnil(L, 10) || !lua_isnil(L, 11)) {
        int is_sigma = !lua_isnil(L, 10);
        size_t nw;
        w = rr_lua_check_array(L, is_sigma ? 10 : 11, is_sigma ? "sigma" : "weights",
                               &nw, 0); /* 12 */
        if (nw != c.n)
            return luaL_error(L, "fit: %s has %I values, y %I",
                              is_sigma ? "sigma" : "weights", (lua_Integer)nw,
                              (lua_Integer)c.n);
        for (size_t i = 0; i < c.n; i++) {
            if (is_sigma ? !(w[i] > 0) : !(w[i] >= 0))
                return luaL_error(L, "fit: %s[%I] = %f must be %s",
                                  is_sigma ? "sigma" : "weights",
                                  (lua_Integer)i + 1, w[i],
                                  is_sigma ? "> 0" : ">= 0");
            n_zero += w[i] == 0;
            w[i] = is_sigma ? 1 / w[i] : sqrt(w[i]);
        }
    } else {
        lua_pushnil(L); /* 12 */
    }
    c.w = w;
    /* Parameters. */
    lua_getfield(L, 1, "p0"); /* 13 */
    luaL_argcheck(L, lua_istable(L, 13), 1, "field p0 (array of start values) missing");
    double *x0 = rr_lua_check_array(L, 13, "p0", &c.p, 0); /* 14 */
    luaL_argcheck(L, c.p > 0, 1, "p0 is empty");
    lua_getfield(L, 1, "names"); /* 15 */
    int names = 0;
    if (!lua_isnil(L, 15)) {
        luaL_argcheck(L, lua_istable(L, 15) && luaL_len(L, 15) == (lua_Integer)c.p,
                      1, "names must be an array with one name per parameter");
        names = 15;
    }
    double *lo = lua_newuserdatauv(L, 2 * c.p * sizeof *lo + c.p, 0); /* 16 */
    double *hi = lo + c.p;
    unsigned char *fixed = (unsigned char *)(hi + c.p);
    for (size_t j = 0; j < c.p; j++) {
        lo[j] = -INFINITY;
        hi[j] = INFINITY;
        fixed[j] = 0;
    }
    read_param_opt(L, 1, names, "lower", c.p, lo, NULL);
    read_param_opt(L, 1, names, "upper", c.p, hi, NULL);
    read_param_opt(L, 1, names, "fixed", c.p, NULL, fixed);

    double max_iter = rr_lua_opt_number(L, 1, "max_iter", 0);
    luaL_argcheck(L, max_iter >= 0 && max_iter <= 1e7, 1, "max_iter must be in 0 .. 1e7");
    rr_nlls_problem pb = {
        .n = c.n, .p = c.p, .f = cb_f, .df = c.i_jac ? cb_df : NULL,
        .user = &c, .x0 = x0, .lower = lo, .upper = hi, .fixed = fixed,
        .n_zero_weight = n_zero,
        .max_iter = (int)max_iter,
        .xtol = rr_lua_opt_number(L, 1, "xtol", 0),
        .gtol = rr_lua_opt_number(L, 1, "gtol", 0),
        .method = check_method(L),
        .absolute_sigma = rr_lua_opt_boolean(L, 1, "absolute_sigma", 0),
        .no_jacobian_check = !rr_lua_opt_boolean(L, 1, "check_jacobian", 1),
    };
    rr_nlls_result res;
    char err[RR_AN_ERRLEN];
    rr_status st = rr_nlls_solve(&pb, &res, err);
    if (st == RR_ERR_ABORTED) { /* the model's own error, with its file:line */
        lua_pushvalue(L, c.i_err);
        return lua_error(L);
    }
    if (st == RR_ERR_NUMERIC && strstr(err, "at the start"))
        return luaL_error(L, "%s (check the model and p0)", err);
    if (st == RR_ERR_NUMERIC)
        return rr_lua_fail(L, err);
    if (st != RR_OK)
        return rr_lua_raise(L, st, err);

    lua_createtable(L, 0, 16);
    rr_lua_push_array(L, res.x, c.p);
    lua_setfield(L, -2, "p");
    rr_lua_push_array(L, res.se, c.p);
    lua_setfield(L, -2, "se");
    push_matrix(L, res.cov, c.p);
    lua_setfield(L, -2, "cov");
    lua_createtable(L, (int)c.p, 0);
    for (size_t j = 0; j < c.p; j++) {
        lua_pushboolean(L, res.at_bound[j]);
        lua_rawseti(L, -2, (lua_Integer)j + 1);
    }
    lua_setfield(L, -2, "at_bound");
    if (names) {
        lua_newtable(L);
        lua_newtable(L);
        for (size_t j = 0; j < c.p; j++) {
            lua_geti(L, names, (lua_Integer)j + 1);
            lua_pushvalue(L, -1);
            lua_pushnumber(L, res.x[j]);
            lua_settable(L, -5);
            lua_pushnumber(L, res.se[j]);
            lua_settable(L, -3);
        }
        lua_setfield(L, -3, "errors");
        lua_setfield(L, -2, "values");
    }
    rr_lua_set_number(L, "rss", res.rss);
    lua_pushinteger(L, (lua_Integer)res.dof);
    lua_setfield(L, -2, "dof");
    lua_pushinteger(L, (lua_Integer)c.n);
    lua_setfield(L, -2, "n");
    lua_pushinteger(L, res.niter);
    lua_setfield(L, -2, "niter");
    lua_pushinteger(L, res.nfev);
    lua_setfield(L, -2, "nfev");
    lua_pushinteger(L, res.njev);
    lua_setfield(L, -2, "njev");
    lua_pushinteger(L, res.restarts);
    lua_setfield(L, -2, "restarts");
    rr_lua_set_boolean(L, "converged", res.converged);
    rr_lua_set_string(L, "reason", res.reason);
    rr_nlls_result_clear(&res);
    return 1;
}

static const luaL_Reg funcs[] = {
    {"fit", an_fit},
    {NULL, NULL},
};

void rr_lua_nlfit_register(lua_State *L)
{
    luaL_setfuncs(L, funcs, 0);
}
