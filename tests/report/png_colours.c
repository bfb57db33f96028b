/* png_colours.c - `png_colours FILE.png [RRGGBB MIN_PIXELS]...`: decodes a
 * screenshot (libpng) and checks that it is not blank and that each given
 * colour covers at least MIN_PIXELS pixels (within 24 per channel, to allow
 * for anti-aliasing).  Prints what it counted.  Exit 0 when all hold, 1
 * otherwise, 2 on bad use.
 *
 * Why pixels: the report's curves have colours used nowhere else on the
 * page, so finding them proves that the browser drew the inline SVG plots,
 * not just that the markup is there (which --dump-dom shows). */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int near(const unsigned char *p, const int rgb[3])
{
    for (int j = 0; j < 3; j++)
        if (abs((int)p[j] - rgb[j]) > 24)
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc % 2 != 0) {
        fprintf(stderr, "usage: png_colours FILE.png [RRGGBB MIN_PIXELS]...\n");
        return 2;
    }
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, argv[1])) {
        fprintf(stderr, "png_colours: %s: %s\n", argv[1], img.message);
        return 1;
    }
    img.format = PNG_FORMAT_RGB;
    size_t size = PNG_IMAGE_SIZE(img);
    unsigned char *buf = malloc(size);
    if (!buf || !png_image_finish_read(&img, NULL, buf, 0, NULL)) {
        fprintf(stderr, "png_colours: %s: cannot decode\n", argv[1]);
        free(buf);
        return 1;
    }
    size_t npix = (size_t)img.width * img.height, nonwhite = 0;
    for (size_t i = 0; i < npix; i++) {
        const unsigned char *p = buf + 3 * i;
        if (p[0] < 235 || p[1] < 235 || p[2] < 235)
            nonwhite++;
    }
    printf("png_colours: %ux%u, %.1f %% not white\n", img.width, img.height,
           100.0 * (double)nonwhite / (double)npix);
    int ok = nonwhite > npix / 50; /* a blank page fails */
    for (int a = 2; a + 1 < argc; a += 2) {
        unsigned v = 0;
        long min = atol(argv[a + 1]);
        if (sscanf(argv[a], "%6x", &v) != 1 || strlen(argv[a]) != 6) {
            fprintf(stderr, "png_colours: bad colour '%s'\n", argv[a]);
            free(buf);
            return 2;
        }
        int rgb[3] = {(int)(v >> 16) & 255, (int)(v >> 8) & 255, (int)v & 255};
        long count = 0;
        for (size_t i = 0; i < npix; i++)
            count += near(buf + 3 * i, rgb);
        printf("png_colours: #%s: %ld pixels (want >= %ld)%s\n", argv[a], count, min,
               count >= min ? "" : "  <-- too few");
        if (count < min)
            ok = 0;
    }
    free(buf);
    return ok ? 0 : 1;
}
