<!DOCTYPE html>
<html <?php language_attributes(); ?>>
<head>
<meta charset="<?php bloginfo( 'charset' ); ?>">
<?php wp_head(); ?>
</head>
<body <?php body_class(); ?>>
<?php wp_body_open(); ?>
<header><h1><a href="<?php echo esc_url( home_url( '/' ) ); ?>"><?php bloginfo( 'name' ); ?></a></h1>
<p><?php bloginfo( 'description' ); ?></p></header>
<main>
<?php
while ( have_posts() ) :
	the_post();
	?>
	<article <?php post_class(); ?>>
		<h2><a href="<?php the_permalink(); ?>"><?php the_title(); ?></a></h2>
		<p><?php echo esc_html( get_the_date() ); ?> · <?php the_author(); ?> · <?php the_category( ', ' ); ?></p>
		<?php the_content(); ?>
	</article>
	<?php
endwhile;
the_posts_pagination();
?>
</main>
<footer><?php wp_nav_menu( array( 'fallback_cb' => 'wp_page_menu' ) ); ?></footer>
<?php wp_footer(); ?>
</body>
</html>
